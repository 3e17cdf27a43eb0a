package main

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
)

// parseOptions turns the `runtime.options` of Pulumi.yaml (as the engine sends them in ProgramInfo) into
// toolchain options. Only `virtualenv` and `toolchain` are understood; `typechecker` is rejected rather
// than silently skipped, because this host does not run type checkers.
func parseOptions(root, programDir string, options map[string]any) (toolchain.PythonOptions, error) {
	parsed := toolchain.PythonOptions{Root: root, ProgramDir: programDir, Toolchain: toolchain.Auto}

	if raw, ok := options["virtualenv"]; ok {
		virtualenv, isString := raw.(string)
		if !isString {
			return parsed, errors.New("virtualenv option must be a string")
		}
		parsed.Virtualenv = virtualenv
	}

	if raw, ok := options["toolchain"]; ok {
		name, isString := raw.(string)
		if !isString {
			return parsed, errors.New("toolchain option must be a string")
		}
		// The sdk's toolchain kind type is unexported, hence a switch rather than a lookup table.
		switch name {
		case "pip":
			parsed.Toolchain = toolchain.Pip
		case "poetry":
			parsed.Toolchain = toolchain.Poetry
		case "uv":
			parsed.Toolchain = toolchain.Uv
		default:
			return parsed, fmt.Errorf("unsupported toolchain option: %s", name)
		}
	}

	if _, ok := options["typechecker"]; ok {
		return parsed, errors.New("the typechecker option is not supported by this language host")
	}

	return parsed, nil
}
