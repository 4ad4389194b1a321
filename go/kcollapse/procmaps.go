package kcollapse

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// vma is one line of /proc/PID/maps that the in-process method may
// collapse.
type vma struct {
	start, end uint64
}

// eligibleVMAs parses /proc/PID/maps and keeps what the module calls
// eligible and a process can see from its maps: private, anonymous,
// readable and writable mappings. [heap] and named anonymous memory
// ([anon:...], Go's arenas on kernels with CONFIG_ANON_VMA_NAME) count;
// stacks, [vvar]-like specials and file mappings do not.
func eligibleVMAs(r io.Reader) ([]vma, error) {
	var out []vma
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 5 || len(f[1]) < 4 {
			continue
		}
		perms, inode := f[1], f[4]
		if perms[0] != 'r' || perms[1] != 'w' || perms[3] != 'p' || inode != "0" {
			continue
		}
		if len(f) > 5 {
			name := strings.Join(f[5:], " ")
			if name != "[heap]" && !strings.HasPrefix(name, "[anon:") {
				continue
			}
		}
		bounds := strings.SplitN(f[0], "-", 2)
		if len(bounds) != 2 {
			continue
		}
		start, err1 := strconv.ParseUint(bounds[0], 16, 64)
		end, err2 := strconv.ParseUint(bounds[1], 16, 64)
		if err1 != nil || err2 != nil || end <= start {
			continue
		}
		out = append(out, vma{start, end})
	}
	return out, sc.Err()
}

// clip is v cut to [start, end); ok is false when nothing is left.
func (v vma) clip(start, end uint64) (vma, bool) {
	if v.start < start {
		v.start = start
	}
	if v.end > end {
		v.end = end
	}
	return v, v.start < v.end
}
