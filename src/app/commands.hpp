#pragma once

// The runners of the `workstream` subcommands that live in app/ (those of
// the admin commands are in ops/commands.hpp); the command table in cli.cpp
// names each with its options and help. Each returns the exit code: 0
// success, 1 failure at run time, 2 bad usage or configuration.

#include <chrono>
#include <string>

#include "workstream/core/config.hpp"
#include "workstream/core/roles.hpp"

namespace workstream::app {

int runCli(int argc, char** argv);

// Runs the modules of `roles` until SIGTERM or SIGINT.
int serve(const RoleSet& roles, const Config& config);

// Asks a running process's admin listener for /health (alive) or /ready
// (alive and its servers answer): 0 when it says so, else 1.
enum class Probe { health, ready };
int healthCommand(const HostPort& adminAddr, std::chrono::milliseconds timeout, Probe probe);

// `workstream migrate`: brings the tasks schema up to date.
int migrateCommand(const Config& config);

// `workstream topology declare`.
int topologyCommand(const Config& config);

}  // namespace workstream::app
