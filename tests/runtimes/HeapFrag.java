// HeapFrag: a fragmented Java heap for kcollapse's guest tests
// (tests/guest/t/60-runtimes.sh, README.md here).
//
// Same protocol as heapfrag.go: objects of mixed kinds and sizes whose
// contents follow from their index, about one in -keep kept (scattered),
// the rest dropped; System.gc() under a collector that gives the freed heap
// back (see bundle.sh for the flags); then "READY pid=N objects=M" and
// commands on stdin: "verify" (check every survivor, allocate and collect
// more, "VERIFIED n" or "CORRUPT ...") and "exit".
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.HashMap;
import java.util.Map;

public final class HeapFrag {
	static long seed = 1;

	static final class Node {
		final long id;
		final String name;
		final Node peer;

		Node(long id, Node peer) {
			this.id = id;
			this.name = "obj-" + id;
			this.peer = peer;
		}
	}

	static long mix(long x) {
		x += 0x9e3779b97f4a7c15L;
		x = (x ^ (x >>> 30)) * 0xbf58476d1ce4e5b9L;
		x = (x ^ (x >>> 27)) * 0x94d049bb133111ebL;
		return x ^ (x >>> 31);
	}

	static boolean kept(long i, long keep) {
		return Long.remainderUnsigned(mix(i ^ seed ^ 0xa5a5), keep) == 0;
	}

	// Small nodes, or long[] of 128 B-8 KiB, 16-64 KiB, 256 KiB-1 MiB.
	static int words(long i) {
		long h = mix(i ^ seed ^ 0x5151);
		int r = (int) Long.remainderUnsigned(h, 100), x = (int) ((h >>> 8) & 0xfffffff);
		if (r < 80)
			return 0;
		if (r < 95)
			return 16 + x % 1008;
		if (r < 99)
			return 2048 + x % 6144;
		return 32768 + x % 98304;
	}

	static long word(long i, int j) {
		return mix((i << 24) ^ j ^ seed);
	}

	final Map<Long, Object> live = new HashMap<>();
	final long keep;
	long next;
	Node last;

	HeapFrag(long keep) {
		this.keep = keep;
	}

	Object make(long i) {
		int n = words(i);
		if (n == 0)
			return new Node(i, last);
		long[] a = new long[n];
		for (int j = 0; j < n; j++)
			a[j] = word(i, j);
		return a;
	}

	void grow(int mib) {
		long total = 0;
		while (total < ((long) mib << 20)) {
			long i = next++;
			Object o = make(i);
			total += o instanceof long[] ? ((long[]) o).length * 8L + 16 : 48;
			if (kept(i, keep)) {
				live.put(i, o);
				if (o instanceof Node)
					last = (Node) o;
			}
		}
		System.gc();
	}

	String verify() {
		for (Map.Entry<Long, Object> e : live.entrySet()) {
			long i = e.getKey();
			Object o = e.getValue();
			if (!kept(i, keep))
				return "object " + i + ": not a survivor";
			if (o instanceof Node) {
				Node n = (Node) o;
				if (n.id != i || !n.name.equals("obj-" + i) ||
				    (n.peer != null && live.get(n.peer.id) != n.peer))
					return "node " + i;
				continue;
			}
			long[] a = (long[]) o;
			if (a.length != words(i))
				return "array " + i + ": length " + a.length;
			for (int j = 0; j < a.length; j++)
				if (a[j] != word(i, j))
					return "array " + i + " word " + j;
		}
		return null;
	}

	public static void main(String[] args) throws Exception {
		int mib = 120;
		long keep = 12;
		for (int k = 0; k + 1 < args.length; k += 2) {
			switch (args[k]) {
			case "--mib": mib = Integer.parseInt(args[k + 1]); break;
			case "--keep": keep = Long.parseLong(args[k + 1]); break;
			case "--seed": seed = Long.parseLong(args[k + 1]); break;
			default: throw new IllegalArgumentException(args[k]);
			}
		}
		HeapFrag h = new HeapFrag(keep);
		h.grow(mib);
		Runtime rt = Runtime.getRuntime();
		System.out.println("READY pid=" + ProcessHandle.current().pid() + " objects=" + h.live.size() +
				   " committed=" + rt.totalMemory() + " used=" + (rt.totalMemory() - rt.freeMemory()));
		BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
		for (String cmd; (cmd = in.readLine()) != null;) {
			if (cmd.equals("verify")) {
				String err = h.verify();
				if (err == null) {
					h.grow(mib / 4);
					err = h.verify();
				}
				System.out.println(err != null ? "CORRUPT " + err : "VERIFIED " + h.live.size());
			} else if (cmd.equals("exit")) {
				System.exit(0);
			} else {
				System.out.println("ERROR unknown command " + cmd);
			}
		}
	}
}
