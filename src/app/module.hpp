#pragma once

// Module lives in core, beside the shutdown sequence that stops it.
#include "workstream/core/module.hpp"
