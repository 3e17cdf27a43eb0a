package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
)

// installedPackage is one entry of `python -m pip list -v --format json`; `-v` adds the location,
// which is where a package's pulumi-plugin.json would be.
type installedPackage struct {
	Name     string `json:"name"`
	Version  string `json:"version"`
	Location string `json:"location"`
}

// packagesWithoutPlugins are first-party `pulumi-*` distributions that have no resource plugin; upstream
// skips them by name because older releases ship no pulumi-plugin.json.
var packagesWithoutPlugins = map[string]bool{
	"pulumi-policy":  true,
	"pulumi-esc-sdk": true,
}

// nonNameCharacters implements PEP 503 name normalisation ("Pulumi_AWS" and "pulumi-aws" are one package).
var nonNameCharacters = regexp.MustCompile(`[-_.]+`)

func normalizePackageName(name string) string {
	return nonNameCharacters.ReplaceAllString(strings.ToLower(name), "-")
}

// listInstalledPackages asks pip in the program's environment what is installed. This is the call that
// fails with "No module named pip" when a venv was created without pip; the engine reports it as
// "failed to discover package requirements".
func listInstalledPackages(ctx context.Context, tc toolchain.Toolchain) ([]installedPackage, error) {
	cmd, err := tc.ModuleCommand(ctx, "pip", "list", "-v", "--format", "json")
	if err != nil {
		return nil, err
	}
	output, err := cmd.Output()
	if err != nil {
		// Output() keeps the child's stderr on the error: pip's own message is what the user needs.
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) && len(exitErr.Stderr) > 0 {
			stderr := strings.TrimSpace(string(exitErr.Stderr))
			return nil, fmt.Errorf("calling `%s`: %w: %s", strings.Join(cmd.Args, " "), err, stderr)
		}
		return nil, fmt.Errorf("calling `%s`: %w", strings.Join(cmd.Args, " "), err)
	}
	return parsePipList(output)
}

func parsePipList(output []byte) ([]installedPackage, error) {
	var packages []installedPackage
	if err := json.Unmarshal(output, &packages); err != nil {
		return nil, fmt.Errorf("parsing `pip list` output: %w", err)
	}
	for i := range packages {
		packages[i].Name = normalizePackageName(packages[i].Name)
	}
	return packages, nil
}

// readPluginJSON loads <location>/<module>/pulumi-plugin.json; a missing file is not an error.
func readPluginJSON(pkg installedPackage) (*plugin.PulumiPluginJSON, error) {
	if pkg.Location == "" {
		return nil, nil
	}
	// By convention the import package is the distribution name with underscores ("pulumi-aws" -> pulumi_aws).
	module := strings.ReplaceAll(pkg.Name, "-", "_")
	pluginJSON, err := plugin.LoadPulumiPluginJSON(filepath.Join(pkg.Location, module, "pulumi-plugin.json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return pluginJSON, err
}

// requiredPackages returns the resource plugins the installed Python packages ask for: every package that
// ships a pulumi-plugin.json, or whose name starts with "pulumi-", unless it declares `"resource": false`.
func requiredPackages(packages []installedPackage) ([]*pulumirpc.PackageDependency, error) {
	var required []*pulumirpc.PackageDependency
	for _, pkg := range packages {
		if packagesWithoutPlugins[pkg.Name] {
			continue
		}
		pluginJSON, err := readPluginJSON(pkg)
		if err != nil {
			return nil, fmt.Errorf("reading pulumi-plugin.json of %s: %w", pkg.Name, err)
		}
		if pluginJSON == nil && !strings.HasPrefix(pkg.Name, "pulumi-") {
			continue
		}
		if dependency := pluginDependency(pkg, pluginJSON); dependency != nil {
			required = append(required, dependency)
		}
	}
	return required, nil
}

// pluginDependency derives the plugin a package needs; nil means "none" (opted out, or a version that
// cannot be mapped to the plugin's semver, which upstream also skips rather than failing the update).
func pluginDependency(pkg installedPackage, pluginJSON *plugin.PulumiPluginJSON) *pulumirpc.PackageDependency {
	dependency := &pulumirpc.PackageDependency{Kind: "resource"}
	if pluginJSON != nil {
		if !pluginJSON.Resource {
			return nil
		}
		dependency.Name, dependency.Version, dependency.Server = pluginJSON.Name, pluginJSON.Version, pluginJSON.Server
		if p := pluginJSON.Parameterization; p != nil {
			dependency.Parameterization = &pulumirpc.PackageParameterization{
				Name: p.Name, Version: p.Version, Value: p.Value,
			}
		}
	}
	if dependency.Name == "" {
		dependency.Name = strings.TrimPrefix(pkg.Name, "pulumi-")
	}
	if dependency.Version == "" {
		version, err := pluginVersion(pkg.Version)
		if err != nil {
			return nil
		}
		dependency.Version = version
	}
	if !strings.HasPrefix(dependency.Version, "v") {
		dependency.Version = "v" + dependency.Version
	}
	return dependency
}

// pep440Version matches the subset of PEP 440 that maps onto a plugin's semver:
// N(.N)*[{a|b|rc}N][.postN][.devN]. Epochs and local versions are not supported.
var pep440Version = regexp.MustCompile(`^(\d+(?:\.\d+)*)(?:(a|b|rc)(\d+))?(?:\.post(\d+))?(?:\.dev(\d+))?$`)

var preReleaseNames = map[string]string{"a": "alpha", "b": "beta", "rc": "rc"}

// pluginVersion converts a Python package version into the plugin version it was released with:
// "1.2" -> "1.2.0", "1.2.3a4" -> "1.2.3-alpha.4", "1.2.3.post4.dev5" -> "1.2.3+post4dev5".
func pluginVersion(packageVersion string) (string, error) {
	match := pep440Version.FindStringSubmatch(packageVersion)
	if match == nil {
		return "", fmt.Errorf("cannot map Python version %q to a plugin version", packageVersion)
	}
	release, preKind, preNumber, post, dev := match[1], match[2], match[3], match[4], match[5]

	segments := strings.Split(release, ".")
	for len(segments) < 3 {
		segments = append(segments, "0")
	}
	version := strings.Join(segments, ".")

	if preKind != "" {
		version += "-" + preReleaseNames[preKind] + "." + preNumber
	}
	var build string
	if post != "" {
		build += "post" + post
	}
	if dev != "" {
		build += "dev" + dev
	}
	if build != "" {
		version += "+" + build
	}
	return version, nil
}
