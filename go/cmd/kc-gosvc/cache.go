package main

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

type config struct {
	seed             uint64
	mib, keep, touch int
}

// entry is one cached object: its contents follow from its id and the
// seed, sum is the checksum every lookup verifies them against.
type entry struct {
	id   uint64
	pos  int // index in cache.ids
	hits uint64
	sum  uint64
	data []byte
	name string
	tags map[string]uint32 // one entry in four
}

type cache struct {
	cfg   config
	m     map[uint64]*entry
	ids   []uint64 // the live ids, for eviction and lookups by number
	bytes int
	next  uint64
	sink  int // what the synthetic requests' garbage computed: kept observable
}

type stats struct {
	WarmupRequests int     `json:"warmupRequests"`
	ChurnRequests  int     `json:"churnRequests"`
	PeakEntries    int     `json:"peakEntries"`
	Entries        int     `json:"entries"`
	HotEntries     int     `json:"hotEntries"`
	PeakCacheMiB   float64 `json:"peakCacheMiB"`
	CacheMiB       float64 `json:"cacheMiB"`
	HeapInUseMiB   float64 `json:"heapInUseMiB"`
	HeapSysMiB     float64 `json:"heapSysMiB"`
	ReleasedMiB    float64 `json:"heapReleasedMiB"`
	NumGC          uint32  `json:"numGC"`
	BuildMs        int64   `json:"buildMs"`
}

func (s stats) json() string {
	b, _ := json.Marshal(s)
	return string(b)
}

// mix is splitmix64's finalizer: every choice and every byte of content.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

func (c *cache) hot(id uint64) bool {
	return mix(c.cfg.seed^id*0x51)%uint64(c.cfg.touch) == 0
}

func (c *cache) survives(id uint64) bool {
	return mix(c.cfg.seed^id*0x3b)%uint64(c.cfg.keep) == 0
}

// checksum of an entry's contents, a word at a time.
func checksum(e *entry) uint64 {
	h := uint64(0xcbf29ce484222325) ^ e.id
	d := e.data
	for len(d) >= 8 {
		h = (h ^ binary.LittleEndian.Uint64(d)) * 0x100000001b3
		h ^= h >> 29
		d = d[8:]
	}
	for _, b := range d {
		h = (h ^ uint64(b)) * 0x100000001b3
	}
	for _, b := range []byte(e.name) {
		h = (h ^ uint64(b)) * 0x100000001b3
	}
	for i := 0; i < len(e.tags); i++ {
		h = (h ^ uint64(e.tags["t"+strconv.Itoa(i)])) * 0x100000001b3
	}
	return h
}

// newEntry: 64 B .. 32 KiB of data, skewed to the small (the smaller of two
// draws of a power of two), a name, and a small map for one in four.
func (c *cache) newEntry() *entry {
	id := c.next
	c.next++
	r := mix(c.cfg.seed ^ id)
	k := r % 10
	if k2 := (r >> 8) % 10; k2 < k {
		k = k2
	}
	size := 64<<k + int(r>>16)%(64<<k)
	e := &entry{id: id, data: make([]byte, size)}
	for i := 0; i+8 <= size; i += 8 {
		binary.LittleEndian.PutUint64(e.data[i:], mix(r+uint64(i)))
	}
	e.name = fmt.Sprintf("user/%d/session-%x", id%977, r>>40)
	if r>>60&3 == 0 {
		e.tags = make(map[string]uint32, 4)
		for i := 0; i < 1+int(r>>50)%4; i++ {
			e.tags["t"+strconv.Itoa(i)] = uint32(mix(r + uint64(i)))
		}
	}
	e.sum = checksum(e)
	return e
}

func (c *cache) insert(e *entry) {
	e.pos = len(c.ids)
	c.ids = append(c.ids, e.id)
	c.m[e.id] = e
	c.bytes += len(e.data)
}

func (c *cache) remove(e *entry) {
	last := c.ids[len(c.ids)-1]
	c.ids[e.pos] = last
	c.m[last].pos = e.pos
	c.ids = c.ids[:len(c.ids)-1]
	delete(c.m, e.id)
	c.bytes -= len(e.data)
}

// garbage: what a request allocates and drops (headers, a parsed body, a
// response), a few KiB of maps, slices and strings of mixed sizes.
func (c *cache) garbage(n uint64) {
	r := mix(c.cfg.seed ^ n<<20)
	hdr := make(map[string]string, 8)
	for i := 0; i < 4+int(r%8); i++ {
		hdr["x-h"+strconv.Itoa(i)] = strings.Repeat("v", 8+int(mix(r+uint64(i))%200))
	}
	body := make([]uint64, 16+int(r>>8)%1024)
	for i := range body {
		body[i] = r + uint64(i)
	}
	var sb strings.Builder
	for k, v := range hdr {
		sb.WriteString(k)
		sb.WriteString(v)
	}
	c.sink += sb.Len() + len(body)
}

func build(cfg config) (*cache, stats) {
	t0 := time.Now()
	c := &cache{cfg: cfg, m: make(map[uint64]*entry)}
	var st stats
	// 1. warm-up: the cache grows to --mib MiB
	for c.bytes < cfg.mib<<20 {
		c.garbage(uint64(st.WarmupRequests))
		c.insert(c.newEntry())
		st.WarmupRequests++
	}
	st.PeakEntries, st.PeakCacheMiB = len(c.ids), float64(c.bytes)/(1<<20)
	// 2. expiry: about one in --keep survives, scattered; then as many
	// requests as survived, each replacing one entry
	for _, id := range append([]uint64(nil), c.ids...) {
		if !c.survives(id) {
			c.remove(c.m[id])
		}
	}
	churn := len(c.ids)
	for i := 0; i < churn; i++ {
		n := uint64(st.WarmupRequests + i)
		c.garbage(n)
		victim := c.m[c.ids[mix(cfg.seed^n<<7)%uint64(len(c.ids))]]
		c.remove(victim)
		c.insert(c.newEntry())
	}
	st.ChurnRequests = churn
	// 3. the free memory goes back to the kernel
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	st.Entries, st.CacheMiB = len(c.ids), float64(c.bytes)/(1<<20)
	for _, id := range c.ids {
		if c.hot(id) {
			st.HotEntries++
		}
	}
	st.HeapInUseMiB = float64(ms.HeapInuse) / (1 << 20)
	st.HeapSysMiB = float64(ms.HeapSys) / (1 << 20)
	st.ReleasedMiB = float64(ms.HeapReleased) / (1 << 20)
	st.NumGC = ms.NumGC
	st.BuildMs = time.Since(t0).Milliseconds()
	return c, st
}

// answer is one request's reply.
type answer struct {
	N       uint64
	Sum     uint64
	Entries int
	Corrupt []uint64
}

func (a answer) String() string {
	if a.Corrupt != nil {
		ids := make([]string, len(a.Corrupt))
		for i, id := range a.Corrupt {
			ids[i] = strconv.FormatUint(id, 10)
		}
		return fmt.Sprintf("answer %d corrupt-%d %s", a.N, len(a.Corrupt), strings.Join(ids, ","))
	}
	return fmt.Sprintf("answer %d %d %d", a.N, a.Sum, a.Entries)
}

// lookup: verify the entry, fold what it read into the answer, update it
// (a hit counter in its first word, its checksum again).
func (c *cache) lookup(id uint64, a *answer) {
	e := c.m[id]
	a.Entries++
	if checksum(e) != e.sum {
		a.Corrupt = append(a.Corrupt, id)
		return
	}
	a.Sum = mix(a.Sum ^ e.sum)
	e.hits++
	binary.LittleEndian.PutUint64(e.data, mix(c.cfg.seed^e.id)+e.hits)
	e.sum = checksum(e)
}

// request n: every hot entry, then 64 chosen by n, by map lookups.
func (c *cache) request(n uint64) answer {
	a := answer{N: n}
	for _, id := range c.ids {
		if c.hot(id) {
			c.lookup(id, &a)
		}
	}
	for j := uint64(0); j < 64; j++ {
		c.lookup(c.ids[mix(c.cfg.seed^n<<16^j)%uint64(len(c.ids))], &a)
	}
	return a
}

func (c *cache) hotEntry() *entry {
	for _, id := range c.ids {
		if c.hot(id) {
			return c.m[id]
		}
	}
	return c.m[c.ids[0]]
}
