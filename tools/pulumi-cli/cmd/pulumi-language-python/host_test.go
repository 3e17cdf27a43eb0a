package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"google.golang.org/protobuf/types/known/structpb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
)

func TestPluginVersion(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"1", "1.0.0"},
		{"1.2", "1.2.0"},
		{"3.259.0", "3.259.0"},
		{"1.2.3a4", "1.2.3-alpha.4"},
		{"1.2.3b4", "1.2.3-beta.4"},
		{"1.2.3rc4", "1.2.3-rc.4"},
		{"1.2.3.post4", "1.2.3+post4"},
		{"1.2.3.dev5", "1.2.3+dev5"},
		{"1.2.3.post4.dev5", "1.2.3+post4dev5"},
		{"1.2.3rc1.post2", "1.2.3-rc.1+post2"},
	}
	for _, c := range cases {
		got, err := pluginVersion(c.in)
		if err != nil || got != c.want {
			t.Errorf("pluginVersion(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "1!2.0", "1.2.3+local", "abc", "1.2.3.x"} {
		if got, err := pluginVersion(bad); err == nil {
			t.Errorf("pluginVersion(%q) = %q; want an error", bad, got)
		}
	}
}

// writePluginJSON lays out <site>/<module>/pulumi-plugin.json the way an installed wheel does.
func writePluginJSON(t *testing.T, site, module, content string) {
	t.Helper()
	dir := filepath.Join(site, module)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "pulumi-plugin.json"), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestRequiredPackages(t *testing.T) {
	t.Parallel()
	site := t.TempDir()
	writePluginJSON(t, site, "pulumi_nothing", `{"resource": false}`)
	writePluginJSON(t, site, "thirdparty", `{"resource": true, "name": "widgets", "server": "https://example.invalid"}`)

	installed, err := parsePipList([]byte(`[
		{"name": "pulumi", "version": "3.259.0", "location": "` + site + `"},
		{"name": "aep-provider", "version": "0.1.0", "location": "` + site + `"},
		{"name": "Pulumi_AWS", "version": "6.1.0", "location": "` + site + `"},
		{"name": "pulumi-policy", "version": "1.0.0", "location": "` + site + `"},
		{"name": "pulumi-nothing", "version": "1.0.0", "location": "` + site + `"},
		{"name": "pulumi-alpha", "version": "2.0.0a1700000000.post1.dev2.x", "location": "` + site + `"},
		{"name": "thirdparty", "version": "0.4", "location": "` + site + `"}
	]`))
	if err != nil {
		t.Fatal(err)
	}
	required, err := requiredPackages(installed)
	if err != nil {
		t.Fatal(err)
	}

	var got []string
	for _, dep := range required {
		got = append(got, dep.GetKind()+":"+dep.GetName()+"@"+dep.GetVersion()+" "+dep.GetServer())
	}
	want := []string{
		"resource:aws@v6.1.0 ",
		"resource:widgets@v0.4.0 https://example.invalid",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("requiredPackages = %q; want %q", got, want)
	}
}

func TestPluginDependencyPrefersPluginJSON(t *testing.T) {
	t.Parallel()
	pkg := installedPackage{Name: "pulumi-thing", Version: "1.0.0"}
	dep := pluginDependency(pkg, &plugin.PulumiPluginJSON{
		Resource: true, Name: "other", Version: "9.9.9",
		Parameterization: &plugin.PulumiParameterizationJSON{Name: "p", Version: "1.0.0", Value: []byte("v")},
	})
	if dep.GetName() != "other" || dep.GetVersion() != "v9.9.9" || dep.GetParameterization().GetName() != "p" {
		t.Errorf("pluginDependency = %v", dep)
	}
}

func TestParseOptions(t *testing.T) {
	t.Parallel()
	opts, err := parseOptions("/root", "/root/stacks", map[string]any{"virtualenv": ".venv", "toolchain": "pip"})
	if err != nil {
		t.Fatal(err)
	}
	want := toolchain.PythonOptions{Root: "/root", ProgramDir: "/root/stacks", Virtualenv: ".venv", Toolchain: toolchain.Pip}
	if opts != want {
		t.Errorf("parseOptions = %+v; want %+v", opts, want)
	}

	bad := []map[string]any{
		{"virtualenv": 3},
		{"toolchain": "conda"},
		{"toolchain": true},
		{"typechecker": "mypy"},
	}
	for _, options := range bad {
		if _, err := parseOptions("/r", "/r", options); err == nil {
			t.Errorf("parseOptions(%v) succeeded; want an error", options)
		}
	}
}

func programInfo(t *testing.T, entryPoint string) *pulumirpc.ProgramInfo {
	t.Helper()
	options, err := structpb.NewStruct(map[string]any{"virtualenv": ".venv"})
	if err != nil {
		t.Fatal(err)
	}
	return &pulumirpc.ProgramInfo{
		RootDirectory: "/proj", ProgramDirectory: "/proj/stacks", EntryPoint: entryPoint, Options: options,
	}
}

func TestExecArguments(t *testing.T) {
	t.Parallel()
	req := &pulumirpc.RunRequest{
		MonitorAddress: "127.0.0.1:1", Project: "aep-provider", Stack: "dev", Pwd: "/proj/stacks",
		DryRun: true, Parallel: 16, Organization: "organization", Args: []string{"extra"},
		Info: programInfo(t, "."),
	}
	got := execArguments("/bin/exec", "127.0.0.1:2", "", req)
	want := []string{
		"/bin/exec",
		"--monitor", "127.0.0.1:1", "--engine", "127.0.0.1:2", "--project", "aep-provider",
		"--root_directory", "/proj", "--stack", "dev", "--pwd", "/proj/stacks",
		"--dry_run", "true", "--parallel", "16", "--organization", "organization",
		".", "extra",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("execArguments =\n%q\nwant\n%q", got, want)
	}

	// Without an update (dry_run false) the flag is still passed: the shim compares the value to "true".
	req.DryRun, req.Info = false, programInfo(t, "main.py")
	got = execArguments("/bin/exec", "", "zipkin", req)
	if !strings.Contains(strings.Join(got, " "), "--dry_run false") || got[len(got)-2] != "main.py" {
		t.Errorf("execArguments = %q", got)
	}
	if strings.Contains(strings.Join(got, " "), "--engine") {
		t.Errorf("empty engine address must be left out: %q", got)
	}
}

func TestConfigEnvironment(t *testing.T) {
	t.Parallel()
	env, err := configEnvironment(&pulumirpc.RunRequest{
		Config:           map[string]string{"aep:token": "s3cret", "proj:name": "x"},
		ConfigSecretKeys: []string{"aep:token"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`PULUMI_CONFIG={"aep:token":"s3cret","proj:name":"x"}`,
		`PULUMI_CONFIG_SECRET_KEYS=["aep:token"]`,
	}
	if !reflect.DeepEqual(env, want) {
		t.Errorf("configEnvironment = %q; want %q", env, want)
	}

	env, err = configEnvironment(&pulumirpc.RunRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(env, []string{"PULUMI_CONFIG_SECRET_KEYS=[]"}) {
		t.Errorf("configEnvironment(no config) = %q", env)
	}
}

// exitError runs a real process so the error has the exact type and code cmd.Run produces.
func exitError(t *testing.T, code string) error {
	t.Helper()
	err := exec.Command("sh", "-c", "exit "+code).Run()
	if err == nil {
		t.Fatalf("sh exit %s succeeded", code)
	}
	return err
}

func TestRunResponse(t *testing.T) {
	t.Parallel()
	if got := runResponse(nil); got.GetError() != "" || got.GetBail() {
		t.Errorf("success = %v", got)
	}
	if got := runResponse(exitError(t, "32")); got.GetError() != "" || !got.GetBail() {
		t.Errorf("exit 32 = %v; want bail without message", got)
	}
	if got := runResponse(exitError(t, "3")); got.GetError() != "program exited with non-zero exit code: 3" || got.GetBail() {
		t.Errorf("exit 3 = %v", got)
	}
	notStarted := exec.Command(filepath.Join(t.TempDir(), "missing")).Run()
	if got := runResponse(notStarted); !strings.HasPrefix(got.GetError(), "problem executing program") {
		t.Errorf("not started = %v", got)
	}
}

func TestExecutorBeside(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	self := filepath.Join(dir, "pulumi-language-python")
	if _, err := executorBeside(self); err == nil || !strings.Contains(err.Error(), "missing executor") {
		t.Errorf("executorBeside without shim = %v; want 'missing executor'", err)
	}
	shim := filepath.Join(dir, executorName)
	if err := os.WriteFile(shim, []byte("#!/usr/bin/env python\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got, err := executorBeside(self); err != nil || got != shim {
		t.Errorf("executorBeside = %q, %v; want %q", got, err, shim)
	}
}

func TestRuntimeOptionPrompts(t *testing.T) {
	t.Parallel()
	keys := func(prompts []*pulumirpc.RuntimeOptionPrompt) []string {
		var out []string
		for _, p := range prompts {
			out = append(out, p.GetKey()+"="+p.GetDefault().GetStringValue())
		}
		return out
	}
	cases := []struct {
		options map[string]any
		want    []string
	}{
		{map[string]any{}, []string{"toolchain=pip"}},
		{map[string]any{"toolchain": "pip"}, []string{"virtualenv=venv"}},
		{map[string]any{"toolchain": "pip", "virtualenv": ".venv"}, nil},
		{map[string]any{"toolchain": "uv"}, nil},
	}
	for _, c := range cases {
		if got := keys(runtimeOptionPrompts(c.options, nil)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("runtimeOptionPrompts(%v) = %q; want %q", c.options, got, c.want)
		}
	}
}
