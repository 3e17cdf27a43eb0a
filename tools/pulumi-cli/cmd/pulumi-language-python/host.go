package main

import (
	"context"
	"os"
	"sync"

	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
)

// languageHost serves the LanguageRuntime RPCs; the embedded Unimplemented server answers every method
// this host does not support with codes.Unimplemented, which the engine treats as "not supported".
type languageHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	executor string
	tracing  string

	mu            sync.Mutex
	engineAddress string // from the command line, or from Handshake when the engine attaches to us
}

func newLanguageHost(executor, engineAddress, tracing string) *languageHost {
	return &languageHost{executor: executor, engineAddress: engineAddress, tracing: tracing}
}

func (host *languageHost) engine() string {
	host.mu.Lock()
	defer host.mu.Unlock()
	return host.engineAddress
}

// Handshake is only used when the engine attaches to an already running host (PULUMI_DEBUG_LANGUAGES).
func (host *languageHost) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	host.mu.Lock()
	defer host.mu.Unlock()
	host.engineAddress = req.GetEngineAddress()
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

// GetPluginInfo reports the version stamped in at build time (-X .../version.Version=v3.259.0).
func (host *languageHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// toolchainFor resolves the Python toolchain (pip + virtualenv here) for the program the engine described.
func toolchainFor(info *pulumirpc.ProgramInfo) (toolchain.Toolchain, error) {
	opts, err := parseOptions(info.GetRootDirectory(), info.GetProgramDirectory(), info.GetOptions().AsMap())
	if err != nil {
		return nil, err
	}
	return toolchain.ResolveToolchain(opts)
}

// GetRequiredPackages runs before every preview/up/refresh/destroy: it makes sure the virtualenv exists
// (creating it, as upstream does, when the configured one is missing) and reports resource plugins that
// installed Python packages require.
func (host *languageHost) GetRequiredPackages(
	ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	packages, err := host.requiredPackagesOf(ctx, req.GetInfo())
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: packages}, nil
}

// GetRequiredPlugins is the older form of GetRequiredPackages; engines only call it when the newer one
// is unimplemented, but answering it costs nothing.
func (host *languageHost) GetRequiredPlugins(
	ctx context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	packages, err := host.requiredPackagesOf(ctx, req.GetInfo())
	if err != nil {
		return nil, err
	}
	plugins := make([]*pulumirpc.PluginDependency, 0, len(packages))
	for _, pkg := range packages {
		plugins = append(plugins, &pulumirpc.PluginDependency{
			Name: pkg.GetName(), Kind: pkg.GetKind(), Version: pkg.GetVersion(), Server: pkg.GetServer(),
		})
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: plugins}, nil
}

func (host *languageHost) requiredPackagesOf(
	ctx context.Context, info *pulumirpc.ProgramInfo,
) ([]*pulumirpc.PackageDependency, error) {
	tc, err := toolchainFor(info)
	if err != nil {
		return nil, err
	}
	// Output of a venv creation goes to our stdout/stderr, which the engine shows as diagnostics.
	if err := tc.EnsureVenv(ctx, info.GetProgramDirectory(), false, true, os.Stdout, os.Stderr); err != nil {
		return nil, err
	}
	installed, err := listInstalledPackages(ctx, tc)
	if err != nil {
		return nil, err
	}
	return requiredPackages(installed)
}

// Run executes the program: <venv python> pulumi-language-python-exec --monitor ... <entry point>.
// The program's stdout/stderr are our own, which the engine streams to the user.
func (host *languageHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	tc, err := toolchainFor(req.GetInfo())
	if err != nil {
		return nil, err
	}
	if err := tc.ValidateVenv(ctx); err != nil {
		return nil, err
	}
	configEnv, err := configEnvironment(req)
	if err != nil {
		return nil, err
	}

	cmd, err := tc.Command(ctx, execArguments(host.executor, host.engine(), host.tracing, req)...)
	if err != nil {
		return nil, err
	}
	if cmd.Env == nil { // no virtualenv: the toolchain left the environment to be inherited
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, configEnv...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr

	return runResponse(cmd.Run()), nil
}

// InstallDependencies backs `pulumi install`: create the virtualenv with pip and install
// requirements.txt when there is one (this project's own ./dev setup normally did it already).
func (host *languageHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	tc, err := toolchainFor(req.GetInfo())
	if err != nil {
		return err
	}
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, req.GetIsTerminal())
	if err != nil {
		return err
	}
	defer closer.Close()

	if _, err := stdout.Write([]byte("Installing dependencies...\n\n")); err != nil {
		return err
	}
	err = tc.InstallDependencies(server.Context(), req.GetInfo().GetProgramDirectory(),
		req.GetUseLanguageVersionTools(), true /* showOutput */, stdout, stderr)
	if err != nil {
		return err
	}
	if _, err := stdout.Write([]byte("Finished installing dependencies\n\n")); err != nil {
		return err
	}
	return closer.Close()
}

// About backs `pulumi about`: which python runs the program, and its version.
func (host *languageHost) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	var tc toolchain.Toolchain
	var err error
	if req.GetInfo() == nil { // older engines sent no program info: describe the default python
		tc, err = toolchain.ResolveToolchain(toolchain.PythonOptions{Toolchain: toolchain.Pip})
	} else {
		tc, err = toolchainFor(req.GetInfo())
	}
	if err != nil {
		return nil, err
	}
	about, err := tc.About(ctx)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{Executable: about.PythonExecutable, Version: about.PythonVersion.String()}, nil
}

// GetProgramDependencies backs `pulumi about` too: the installed Python packages.
func (host *languageHost) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	tc, err := toolchainFor(req.GetInfo())
	if err != nil {
		return nil, err
	}
	installed, err := tc.ListPackages(ctx, req.GetTransitiveDependencies())
	if err != nil {
		return nil, err
	}
	dependencies := make([]*pulumirpc.DependencyInfo, 0, len(installed))
	for _, dep := range installed {
		dependencies = append(dependencies, &pulumirpc.DependencyInfo{Name: dep.Name, Version: dep.Version})
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: dependencies}, nil
}

// RuntimeOptionsPrompts is asked by `pulumi new`/`pulumi install` for runtime options missing from
// Pulumi.yaml.
func (host *languageHost) RuntimeOptionsPrompts(
	_ context.Context, req *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	otherToolchains := plugin.MakeExecutablePromptChoices("poetry", "uv")
	return &pulumirpc.RuntimeOptionsResponse{
		Prompts: runtimeOptionPrompts(req.GetInfo().GetOptions().AsMap(), otherToolchains),
	}, nil
}

// runtimeOptionPrompts decides what to ask: the toolchain when none is set (pip, plus whichever of
// the other toolchains are installed), and a virtualenv directory when pip is chosen without one.
func runtimeOptionPrompts(
	options map[string]any, otherToolchains []*pulumirpc.RuntimeOptionPrompt_RuntimeOptionValue,
) []*pulumirpc.RuntimeOptionPrompt {
	stringValue := func(value string) *pulumirpc.RuntimeOptionPrompt_RuntimeOptionValue {
		return &pulumirpc.RuntimeOptionPrompt_RuntimeOptionValue{
			PromptType: pulumirpc.RuntimeOptionPrompt_STRING, StringValue: value, DisplayName: value,
		}
	}

	var prompts []*pulumirpc.RuntimeOptionPrompt
	chosen, hasToolchain := options["toolchain"]
	if !hasToolchain {
		pip := stringValue("pip")
		prompts = append(prompts, &pulumirpc.RuntimeOptionPrompt{
			Key:         "toolchain",
			Description: "The toolchain to use for installing dependencies and running the program",
			PromptType:  pulumirpc.RuntimeOptionPrompt_STRING,
			Choices:     append([]*pulumirpc.RuntimeOptionPrompt_RuntimeOptionValue{pip}, otherToolchains...),
			Default:     pip,
		})
	}
	if _, hasVirtualenv := options["virtualenv"]; chosen == "pip" && !hasVirtualenv {
		prompts = append(prompts, &pulumirpc.RuntimeOptionPrompt{
			Key:         "virtualenv",
			Description: "The virtualenv to use",
			PromptType:  pulumirpc.RuntimeOptionPrompt_STRING,
			Choices:     []*pulumirpc.RuntimeOptionPrompt_RuntimeOptionValue{stringValue("venv")},
			Default:     stringValue("venv"),
		})
	}
	return prompts
}
