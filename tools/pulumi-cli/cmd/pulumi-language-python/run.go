package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strconv"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

const (
	// configVar carries the stack configuration (a JSON object of "project:key" -> value) to the program.
	configVar = "PULUMI_CONFIG"
	// configSecretKeysVar carries the JSON list of config keys whose values are secret.
	configSecretKeysVar = "PULUMI_CONFIG_SECRET_KEYS" //nolint:gosec // a variable name, not a credential

	// exitAfterUserMessage is the exit code the exec shim uses when it has already logged a readable
	// error through the engine; the host then asks the engine to "bail" without adding its own message.
	exitAfterUserMessage = 32
)

// execArguments builds the exec shim's command line (after the python executable), flag for flag what
// pulumi-language-python-exec parses: it requires --parallel and compares --dry_run to "true".
func execArguments(executor, engineAddress, tracing string, req *pulumirpc.RunRequest) []string {
	args := []string{executor}
	appendFlag := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	appendFlag("monitor", req.GetMonitorAddress())
	appendFlag("engine", engineAddress)
	appendFlag("project", req.GetProject())
	appendFlag("root_directory", req.GetInfo().GetRootDirectory())
	appendFlag("stack", req.GetStack())
	appendFlag("pwd", req.GetPwd())
	appendFlag("dry_run", strconv.FormatBool(req.GetDryRun()))
	appendFlag("parallel", strconv.Itoa(int(req.GetParallel())))
	appendFlag("tracing", tracing)
	appendFlag("organization", req.GetOrganization())

	// The engine always names an entry point; "." means the program directory's __main__.py.
	entryPoint := req.GetInfo().GetEntryPoint()
	if entryPoint == "" {
		entryPoint = "."
	}
	args = append(args, entryPoint)
	return append(args, req.GetArgs()...)
}

// configEnvironment returns the variables through which the Python SDK reads configuration. Like
// upstream, the secret keys are always set (an empty list when there are none); the config only when the
// engine sent some.
func configEnvironment(req *pulumirpc.RunRequest) ([]string, error) {
	var env []string
	if config := req.GetConfig(); config != nil {
		encoded, err := json.Marshal(config)
		if err != nil {
			return nil, fmt.Errorf("failed to serialize configuration: %w", err)
		}
		env = append(env, configVar+"="+string(encoded))
	}

	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	encoded, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, fmt.Errorf("failed to serialize configuration secret keys: %w", err)
	}
	return append(env, configSecretKeysVar+"="+string(encoded)), nil
}

// runResponse maps the program's outcome onto what the engine expects: success is an empty response,
// exit code 32 is a "bail" (the message was already shown), any other failure becomes the error text
// the engine prints.
func runResponse(runErr error) *pulumirpc.RunResponse {
	if runErr == nil {
		return &pulumirpc.RunResponse{}
	}
	var exitErr *exec.ExitError
	if !errors.As(runErr, &exitErr) {
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("problem executing program (could not run language executor): %v", runErr),
		}
	}
	switch code := exitErr.ExitCode(); code {
	case exitAfterUserMessage:
		return &pulumirpc.RunResponse{Bail: true}
	case -1, 0: // killed by a signal, or an exit error without a code: no number worth showing
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("program exited unexpectedly: %v", exitErr)}
	default:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("program exited with non-zero exit code: %d", code)}
	}
}
