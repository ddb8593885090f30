// Loading the live path's files, checked: a network's weight export (manifest and binary) and
// the address cache every loaded file goes through.
//
// The weights come from `python -m core export-weights` (core/models/weights_export.py): a JSON
// manifest (layers, shapes, byte offsets, labels, the binary's sha256) and a float32
// little-endian binary. fetchWeights verifies both: the manifest against the checksum its
// address carries (app/live_weights.py serves it from a folder named <network>-<first 8 hex
// digits of the manifest's sha256>), the binary against the manifest. A copy changed on the
// server, binary and manifest together, is refused. Held to core's checks by
// tests/app/test_live_engine.py (damaged, truncated and re-addressed copies).

/**
 * `load(url)` for the absolute form of `address`, once: later calls return the same Promise,
 * except after a failure, which a later call retries. `cache` maps addresses to Promises.
 */
export function loadOnce(cache, address, load) {
  const url = absolute(address);
  let pending = cache.get(url);
  if (!pending) {
    pending = load(url);
    cache.set(url, pending);
    pending.catch(() => cache.delete(url)); // a failed load may be retried
  }
  return pending;
}

function absolute(address) {
  const base = typeof location !== "undefined" ? location.href : undefined;
  return new URL(address, base).href;
}

/** {manifest, buffer} of the weight export whose manifest is at the absolute `url`, checked. */
export async function fetchWeights(url) {
  const where = addressPath(url);
  const manifestResponse = await fetch(url);
  if (!manifestResponse.ok) {
    throw loadError(`weights manifest ${where}: HTTP ${manifestResponse.status}`);
  }
  const manifestBytes = await manifestResponse.arrayBuffer();
  const tag = /\/[^/]+-([0-9a-f]{8})\/[^/]+$/.exec(new URL(url).pathname); // served copies
  if (tag && !(await sha256Hex(manifestBytes)).startsWith(tag[1])) {
    throw loadError(`weights manifest ${where}: sha256 does not match its address (changed on the server)`);
  }
  let manifest;
  try {
    manifest = JSON.parse(new TextDecoder().decode(manifestBytes));
  } catch {
    throw loadError(`weights manifest ${where}: not JSON`);
  }
  if (!manifest || manifest.format !== "modulex-weights" || manifest.version !== 1) {
    throw loadError(`weights manifest ${where}: not a modulex-weights version 1 manifest`);
  }
  const binaryUrl = new URL(manifest.binary, url).href;
  const binaryWhere = addressPath(binaryUrl);
  const binaryResponse = await fetch(binaryUrl);
  if (!binaryResponse.ok) {
    throw loadError(`weights file ${binaryWhere}: HTTP ${binaryResponse.status}`);
  }
  const buffer = await binaryResponse.arrayBuffer();
  if (buffer.byteLength !== manifest.byte_length) {
    throw loadError(
      `weights file ${binaryWhere}: ${buffer.byteLength} bytes, the manifest says ${manifest.byte_length}`,
    );
  }
  const digest = await sha256Hex(buffer);
  if (digest !== manifest.sha256) {
    throw loadError(`weights file ${binaryWhere}: sha256 does not match its manifest (stale or damaged)`);
  }
  return { manifest, buffer };
}

// Every loading error says what fixes it: the server checks pretrained/ and copies it anew
// when it starts, so a copy that is missing, damaged or changed is replaced by a restart.
const LOAD_FIX = "To fix: restart the dashboard, which copies the checked weights again";

export function loadError(problem) {
  return new Error(`${problem}. ${LOAD_FIX}`);
}

/** The path of an address (no scheme or host): short enough for the page's one-line note. */
export function addressPath(address) {
  const url = new URL(address);
  return url.protocol === "file:" ? url.pathname.split("/").slice(-2).join("/") : url.pathname;
}

/** Hex sha256 of an ArrayBuffer: crypto.subtle where the page has it (https, localhost), else
 * the small implementation below (a plain-http address on a LAN has no crypto.subtle). */
export async function sha256Hex(buffer) {
  const subtle = globalThis.crypto && globalThis.crypto.subtle;
  if (subtle) {
    const digest = new Uint8Array(await subtle.digest("SHA-256", buffer));
    return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
  }
  return sha256HexPlain(new Uint8Array(buffer));
}

// SHA-256 (FIPS 180-4). The round constants are the first 32 bits of the fractional parts of
// the cube roots of the first 64 primes, the initial state those of the square roots of the
// first 8: computed here rather than typed in.
function primes(count) {
  const found = [];
  for (let n = 2; found.length < count; n++) {
    if (found.every((p) => n % p !== 0)) found.push(n);
  }
  return found;
}
const fraction32 = (value) => Math.floor((value - Math.floor(value)) * 2 ** 32) >>> 0;
const SHA_K = Uint32Array.from(primes(64), (p) => fraction32(Math.cbrt(p)));
const SHA_H0 = Uint32Array.from(primes(8), (p) => fraction32(Math.sqrt(p)));

export function sha256HexPlain(bytes) {
  const bitLength = bytes.length * 8;
  const padded = new Uint8Array(Math.ceil((bytes.length + 9) / 64) * 64);
  padded.set(bytes);
  padded[bytes.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(bitLength / 2 ** 32));
  view.setUint32(padded.length - 4, bitLength >>> 0);
  const h = SHA_H0.slice();
  const w = new Uint32Array(64);
  const rotr = (x, n) => (x >>> n) | (x << (32 - n));
  for (let block = 0; block < padded.length; block += 64) {
    for (let t = 0; t < 16; t++) w[t] = view.getUint32(block + 4 * t);
    for (let t = 16; t < 64; t++) {
      const s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >>> 3);
      const s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >>> 10);
      w[t] = (w[t - 16] + s0 + w[t - 7] + s1) >>> 0;
    }
    let [a, b, c, d, e, f, g, k] = h;
    for (let t = 0; t < 64; t++) {
      const t1 = (k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + SHA_K[t] + w[t]) >>> 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
      k = g;
      g = f;
      f = e;
      e = (d + t1) >>> 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) >>> 0;
    }
    [a, b, c, d, e, f, g, k].forEach((value, index) => (h[index] = (h[index] + value) >>> 0));
  }
  return Array.from(h, (word) => word.toString(16).padStart(8, "0")).join("");
}

