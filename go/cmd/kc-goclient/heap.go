package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// chunkSize: large objects, each in its own span, so that freeing three
// in four leaves whole free pages for the scavenger to return: a heap
// with holes, as a long-lived Go daemon's becomes.
const chunkSize = 64 << 10

// heap is the live part of a fragmented heap; verify checks its pattern.
type heap struct{ chunks [][]byte }

func fragmentHeap(mb int) *heap {
	h := &heap{}
	all := make([][]byte, mb<<20/chunkSize)
	for i := range all {
		all[i] = make([]byte, chunkSize)
		fill(all[i], i)
		if i%4 == 0 {
			h.chunks = append(h.chunks, all[i])
		}
	}
	all = nil
	runtime.GC()
	debug.FreeOSMemory()
	return h
}

// fill writes a pattern derived from the chunk's index and each offset.
func fill(b []byte, i int) {
	for j := range b {
		b[j] = byte(i*7 + j/4096)
	}
}

// verify is "ok", or where the pattern is wrong.
func (h *heap) verify() string {
	for n, c := range h.chunks {
		i := n * 4
		for j := range c {
			if c[j] != byte(i*7+j/4096) {
				return fmt.Sprintf("chunk %d byte %d: %#x", i, j, c[j])
			}
		}
	}
	return "ok"
}
