// Command pulumi-language-python is this project's own Python language host for the Pulumi engine.
//
// Why it exists: the engine needs a plugin named pulumi-language-python to run a Python program, and the
// upstream module (github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3) has no tags, so the
// Go proxy this project builds from does not serve it. This is a deliberately small implementation of the
// LanguageRuntime gRPC service, built only on packages of github.com/pulumi/pulumi/sdk/v3, covering what the
// v3.259.0 engine calls for a Python project such as
//
//	runtime: {name: python, options: {virtualenv: .venv, toolchain: pip}}
//
// Supported: GetPluginInfo, Handshake, GetRequiredPackages, GetRequiredPlugins, Run (through the
// pulumi-language-python-exec shim, which must sit beside this binary), InstallDependencies, About,
// GetProgramDependencies and RuntimeOptionsPrompts. Everything else (code generation, Pack, Link,
// RunPlugin for Python component providers, debugging, type checkers) answers Unimplemented.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"google.golang.org/grpc"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// executorName is the Python shim that actually runs a program; it ships in the sdk/v3 module.
const executorName = "pulumi-language-python-exec"

// engineHealthInterval is how often the host checks that the engine is still alive, so an orphaned
// host exits instead of lingering after a crashed CLI.
const engineHealthInterval = 5 * time.Minute

func main() {
	if err := serve(); err != nil {
		fmt.Fprintf(os.Stderr, "error: %v\n", err)
		os.Exit(1)
	}
}

func serve() error {
	tracing := flag.String("tracing", "", "Emit tracing to a Zipkin-compatible tracing endpoint")
	givenExecutor := flag.String("use-executor", "", "Use this program as the executor (tests)")
	// Older engines pass these; upstream accepts and ignores them, and so do we.
	for _, obsolete := range []string{"virtualenv", "root", "typechecker", "toolchain"} {
		flag.String(obsolete, "", "[obsolete] ignored; runtime options come from Pulumi.yaml")
	}
	flag.Parse()
	// -logtostderr and -v (sent by the engine under --logflow) are registered by the sdk's imports;
	// InitLogging reads them from the parsed command line.
	logging.InitLogging(false, 0, false)

	executor, err := resolveExecutor(*givenExecutor)
	if err != nil {
		return err
	}
	// The engine passes its own gRPC address as the only positional argument.
	engineAddress := flag.Arg(0)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cancel := make(chan bool)
	go func() {
		<-ctx.Done()
		close(cancel)
	}()

	if engineAddress != "" {
		if err := rpcutil.Healthcheck(ctx, engineAddress, engineHealthInterval, stop); err != nil {
			return fmt.Errorf("could not start engine health check: %w", err)
		}
	}

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, newLanguageHost(executor, engineAddress, *tracing))
			return nil
		},
	})
	if err != nil {
		return fmt.Errorf("could not start language host RPC server: %w", err)
	}

	// The engine reads the first stdout line as the port to dial; everything after it is program output.
	fmt.Printf("%d\n", handle.Port)

	if err := <-handle.Done; err != nil {
		return fmt.Errorf("language host RPC stopped serving: %w", err)
	}
	return nil
}

// resolveExecutor finds the exec shim: an explicit path wins, else it must sit beside this binary
// (never looked up on PATH, exactly like upstream, so a stray older shim cannot be picked up).
func resolveExecutor(given string) (string, error) {
	if given != "" {
		return given, nil
	}
	self, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("could not determine current executable: %w", err)
	}
	return executorBeside(self)
}

func executorBeside(self string) (string, error) {
	path := filepath.Join(filepath.Dir(self), executorName)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("missing executor %s: %w", path, err)
	}
	return path, nil
}
