// heapfrag.js: a fragmented V8 heap for kcollapse's guest tests
// (tests/guest/t/60-runtimes.sh, README.md here). Run with --expose-gc.
//
// Same protocol as heapfrag.go: objects of mixed kinds and sizes whose
// contents follow from their index (plain objects and arrays on V8's heap,
// typed arrays whose stores malloc holds), about one in --keep kept
// (scattered), the rest dropped; global.gc() frees V8's emptied pages and
// the dropped stores; then "READY pid=N objects=M" and commands on stdin:
// "verify" (check every survivor, allocate and collect more, "VERIFIED n"
// or "CORRUPT ...") and "exit".
'use strict';
const readline = require('readline');

const M32 = 0xffffffff;
let seed = 1;

// A 32-bit mix (numbers stay exact as int32 arithmetic).
function mix(x) {
	x = (x ^ 0x9e3779b9 ^ seed) >>> 0;
	x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
	x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
	return (x ^ (x >>> 16)) >>> 0;
}

function kept(i, keep) { return mix(i ^ 0xa5a5) % keep === 0; }

// The object of index i and its approximate size in bytes.
function make(i) {
	const h = mix(i ^ 0x5151), r = h % 100;
	if (r < 65)
		return { id: i, name: 'obj-' + i, v: [i * 3, i * 5, i * 7] };
	if (r < 80) {
		const a = new Array(8 + (h >>> 8) % 120);
		for (let j = 0; j < a.length; j++) a[j] = (i + j) & 0x3fffffff;
		return a;
	}
	let n;
	if (r < 95) n = 32 + (h >>> 8) % 2016;          // 128 B-8 KiB
	else if (r < 99) n = 4096 + (h >>> 8) % 12288;  // 16-64 KiB
	else n = 65536 + (h >>> 8) % 196608;            // 256 KiB-1 MiB: mmap
	const t = new Uint32Array(n);
	for (let j = 0; j < n; j++) t[j] = mix(i * 8191 + j);
	return t;
}

function size(o) {
	return o instanceof Uint32Array ? o.length * 4 : Array.isArray(o) ? o.length * 8 : 80;
}

function same(i, o) {
	const e = make(i);
	if (o instanceof Uint32Array || Array.isArray(o)) {
		if (o.constructor !== e.constructor || o.length !== e.length) return false;
		for (let j = 0; j < o.length; j++) if (o[j] !== e[j]) return false;
		return true;
	}
	return o.id === e.id && o.name === e.name && o.v.length === 3 &&
		o.v.every((x, k) => x === e.v[k]);
}

class Heap {
	constructor(keep) { this.keep = keep; this.live = new Map(); this.next = 0; }

	grow(mib) {
		let total = 0;
		while (total < mib * 1048576) {
			const i = this.next++, o = make(i);
			total += size(o) + 64;
			if (kept(i, this.keep)) this.live.set(i, o);
		}
		global.gc();
	}

	verify() {
		for (const [i, o] of this.live)
			if (!kept(i, this.keep) || !same(i, o)) return 'object ' + i;
		return null;
	}
}

function arg(name, def) {
	const k = process.argv.indexOf('--' + name);
	return k > 0 ? Number(process.argv[k + 1]) : def;
}

const mib = arg('mib', 120), h = new Heap(arg('keep', 12));
seed = arg('seed', 1);
h.grow(mib);
process.stdout.write(`READY pid=${process.pid} objects=${h.live.size}\n`);
readline.createInterface({ input: process.stdin }).on('line', (cmd) => {
	if (cmd === 'verify') {
		let err = h.verify();
		if (!err) {
			h.grow(mib >> 2);
			err = h.verify();
		}
		process.stdout.write(err ? `CORRUPT ${err}\n` : `VERIFIED ${h.live.size}\n`);
	} else if (cmd === 'exit') {
		process.exit(0);
	} else {
		process.stdout.write(`ERROR unknown command ${cmd}\n`);
	}
});
