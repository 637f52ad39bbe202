#!/bin/sh
# Add-on entry point: the Supervisor provides SUPERVISOR_TOKEN and writes the options to /data.
# ENERGY_INSIGHTS overrides the command (tests run the checkout's bin/energy-insights.js).
set -e
exec ${ENERGY_INSIGHTS:-energy-insights} addon --options "${ADDON_OPTIONS:-/data/options.json}" --data "${ADDON_DATA:-/data}"
