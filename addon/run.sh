#!/bin/sh
# Add-on entry point: the Supervisor provides SUPERVISOR_TOKEN and writes the options to /data.
# ENERGY_INSIGHTS overrides the command (tests run the checkout's bin/energy-insights.js).
set -e
# A 1 MB young generation keeps ~35 MB less resident on a small board (README, "Memory").
export NODE_OPTIONS="--max-semi-space-size=1${NODE_OPTIONS:+ $NODE_OPTIONS}"
exec ${ENERGY_INSIGHTS:-energy-insights} addon --options "${ADDON_OPTIONS:-/data/options.json}" --data "${ADDON_DATA:-/data}"
