'use strict';
// snipe-shim: the inference shim for Node.js. `Shim` is the native addon
// (build/Release/snipe_shim_node.node, built by scripts/build-and-test.sh); `hybridConfidence`
// is pure JavaScript. The addon is loaded on first use of `Shim`, so hybridConfidence works
// without a build.

const path = require('node:path');
const { hybridConfidence, DEFAULT_WEIGHTS, DEFAULT_RUG_VETO } = require('./confidence.js');

const ADDON_PATH = path.join(__dirname, 'build', 'Release', 'snipe_shim_node.node');

let addon = null;

// Loads the addon once; a missing or unloadable build gets an error that says what to do.
function loadAddon() {
  if (addon !== null) return addon;
  try {
    addon = require(ADDON_PATH);
  } catch (cause) {
    const error = new Error(
      `snipe-shim: cannot load the native addon ${ADDON_PATH} (${cause.message}). ` +
        'Build the C++ project (libsnipe_shim.so), then run `npm ci && npm run build` in ' +
        `${__dirname} (see scripts/build-and-test.sh).`,
      { cause },
    );
    error.code = 'ERR_SNIPE_ADDON';
    throw error;
  }
  return addon;
}

module.exports = {
  hybridConfidence,
  DEFAULT_WEIGHTS,
  DEFAULT_RUG_VETO,
};

Object.defineProperties(module.exports, {
  /** The native Shim class (loads the addon). */
  Shim: { enumerable: true, get: () => loadAddon().Shim },
  /** SNIPE_SHIM_ABI_VERSION of the C ABI the addon was built against. */
  abiVersion: { enumerable: true, get: () => loadAddon().abiVersion },
});
