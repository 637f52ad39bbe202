#!/bin/sh
# Add-on entry point: the Supervisor provides SUPERVISOR_TOKEN and writes the options to /data.
# ENERGY_INSIGHTS names another script to run (tests run the checkout's bin/energy-insights.js).
set -e
# V8 flags that keep a small board's memory down (README, "Footprint"): a 1 MB young generation, no
# background GC or compiler threads, heap sized for memory over speed, no optimizing compiler (TurboFan
# keeps ~4 MB for a service that mostly waits on the network). V8's own flags cannot go in
# NODE_OPTIONS, so node runs the script itself.
exec node --max-semi-space-size=1 --single-threaded --optimize-for-size --no-opt "${ENERGY_INSIGHTS:-$(command -v energy-insights)}" addon --options "${ADDON_OPTIONS:-/data/options.json}" --data "${ADDON_DATA:-/data}"
