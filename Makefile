# SPDX-License-Identifier: GPL-2.0
#
# kcollapse: the human-facing wrapper.
#
#   make                 module (against KDIR) and userspace tools
#   make module          kcollapse.ko against KDIR (default: running kernel)
#   make tools           libkcollapse, kcollapsectl, kcollapsed, test tools
#   make check           every test: style, host unit tests, guest VMs
#   make demo            the main job in a guest VM, before and after
#   make soak [SOAK=N]   the adversarial guest tests, N x their check sizes
#   make style           checkpatch --strict on the module
#   make install         PREFIX=/usr/local DESTDIR= (make uninstall undoes it)
#   make deb             Debian packages in build/deb/
#   make deb-module KVER=...  the module prebuilt for one kernel, packaged
#   make clean
#
# Run `bash scripts/deps.sh` once first (as root): it installs what the
# build and the tests need.

KDIR ?= /lib/modules/$(shell uname -r)/build
SANITIZE ?= 0
VERSION := $(shell cat VERSION)
DESTDIR ?=
# What DKMS needs to build the module, and nothing else.
MODULE_SOURCES := Kbuild VERSION kmod include

all: module tools

module:
	@test -d "$(KDIR)" || { echo "no kernel build tree at $(KDIR): pass KDIR=/usr/src/linux-headers-VERSION"; exit 1; }
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" W=1 modules

tools:
	$(MAKE) -C ctl SANITIZE=$(SANITIZE)
	$(MAKE) -C bridge SANITIZE=$(SANITIZE)
	$(MAKE) -C tests/bridge SANITIZE=$(SANITIZE) tools
	$(MAKE) -C tests/workload SANITIZE=$(SANITIZE)
	$(MAKE) -C tests/tools SANITIZE=$(SANITIZE)
	$(MAKE) -C go

# The module's sources where DKMS expects them; then add, build, install
# it for the running kernel (or KERNELVER=...). With DESTDIR set (image
# builds), only the sources are copied: DKMS's autoinstall builds them.
dkms-install:
	rm -rf "$(DESTDIR)/usr/src/kcollapse-$(VERSION)"
	mkdir -p "$(DESTDIR)/usr/src/kcollapse-$(VERSION)"
	cp -R $(MODULE_SOURCES) "$(DESTDIR)/usr/src/kcollapse-$(VERSION)/"
	find "$(DESTDIR)/usr/src/kcollapse-$(VERSION)" \( -name '*.o' -o -name '*.ko' \
		-o -name '*.mod' -o -name '*.mod.c' -o -name '.*.cmd' \) -delete
	sed 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="$(VERSION)"/' dkms.conf \
		>"$(DESTDIR)/usr/src/kcollapse-$(VERSION)/dkms.conf"
	test -n "$(DESTDIR)" || { dkms add kcollapse/$(VERSION) && \
		dkms install kcollapse/$(VERSION) $${KERNELVER:+-k $$KERNELVER}; }

PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
PKG_CONFIG ?= pkg-config
# systemd's unit directory as pkg-config tells it, moved under PREFIX:
# /lib/systemd/system for PREFIX=/usr on Debian 12, else
# PREFIX/lib/systemd/system (systemd also reads /usr/local/lib/systemd/system);
# never a directory outside PREFIX unless given as SYSTEMDDIR=.
SYSTEMD_PC_DIR := $(shell $(PKG_CONFIG) $(if $(filter /usr,$(PREFIX)),,\
	--define-variable=prefix=$(PREFIX) --define-variable=root_prefix=$(PREFIX)) \
	--variable=systemdsystemunitdir systemd 2>/dev/null)
SYSTEMDDIR ?= $(or $(if $(filter /usr,$(PREFIX)),$(SYSTEMD_PC_DIR),$(filter $(PREFIX)/%,$(SYSTEMD_PC_DIR))),\
	$(if $(filter /usr,$(PREFIX)),/lib,$(PREFIX)/lib)/systemd/system)
MODULESLOADDIR ?= /etc/modules-load.d
MANDIR ?= $(PREFIX)/share/man

# Tools, library, man pages, the systemd units and a modules-load.d entry.
install:
	$(MAKE) -C ctl install PREFIX=$(PREFIX) MANDIR=$(MANDIR) DESTDIR=$(DESTDIR)
	$(MAKE) -C bridge install PREFIX=$(PREFIX) SBINDIR=$(SBINDIR) MANDIR=$(MANDIR) \
		DESTDIR=$(DESTDIR)
	install -d "$(DESTDIR)$(SBINDIR)" "$(DESTDIR)$(SYSTEMDDIR)" \
		"$(DESTDIR)$(MODULESLOADDIR)" "$(DESTDIR)$(MANDIR)/man8"
	install -m 0755 contrib/kcollapsed-token "$(DESTDIR)$(SBINDIR)/"
	sed 's|@VERSION@|$(VERSION)|' contrib/kcollapsed-token.8 \
		>"$(DESTDIR)$(MANDIR)/man8/kcollapsed-token.8"
	chmod 0644 "$(DESTDIR)$(MANDIR)/man8/kcollapsed-token.8"
	sed 's|/usr/local/sbin/|$(SBINDIR)/|' contrib/kcollapsed.service \
		>"$(DESTDIR)$(SYSTEMDDIR)/kcollapsed.service"
	chmod 0644 "$(DESTDIR)$(SYSTEMDDIR)/kcollapsed.service"
	install -m 0644 contrib/kcollapsed.path "$(DESTDIR)$(SYSTEMDDIR)/kcollapsed.path"
	echo kcollapse >"$(DESTDIR)$(MODULESLOADDIR)/kcollapse.conf"

# What install put there (same variables); DKMS's copy stays (dkms remove).
uninstall:
	$(MAKE) -C ctl uninstall PREFIX=$(PREFIX) MANDIR=$(MANDIR) DESTDIR=$(DESTDIR)
	$(MAKE) -C bridge uninstall PREFIX=$(PREFIX) SBINDIR=$(SBINDIR) MANDIR=$(MANDIR) \
		DESTDIR=$(DESTDIR)
	rm -f "$(DESTDIR)$(SBINDIR)/kcollapsed-token" \
		"$(DESTDIR)$(MANDIR)/man8/kcollapsed-token.8" \
		"$(DESTDIR)$(SYSTEMDDIR)/kcollapsed.service" \
		"$(DESTDIR)$(SYSTEMDDIR)/kcollapsed.path" \
		"$(DESTDIR)$(MODULESLOADDIR)/kcollapse.conf"

# The release tarball: the last commit (git archive), or, from an unpacked
# tarball, the files its MANIFEST lists; dkms.conf filled in (scripts/dist.sh).
dist:
	@bash scripts/dist.sh

# Debian packages (debian/): kcollapse-dkms, libkcollapse1, libkcollapse-dev,
# kcollapsectl, kcollapsed in build/deb/, lintian's findings on stderr.
deb:
	bash scripts/deb.sh

# A prebuilt module package for one kernel (its linux-headers installed):
# kcollapse-modules-KVER in build/deb-module/, for images without DKMS.
deb-module:
	bash scripts/deb-module.sh "$${KVER:-$$(uname -r)}"

style:
	bash scripts/checkpatch.sh

# The Go package (go/README.md): go vet + go test on the host.
go-check:
	$(MAKE) -s -C go check

check:
	bash tests/check.sh
# What make check leaves out for its time budget (README "Tests"): Debian
# 13's kernels, the built-in kernel, the debug kernel's remaining tests.
# check-all: both, one summary line.
check-extra:
	bash tests/check.sh extra
check-all:
	bash tests/check.sh main extra

# One guest per kernel (tests/guest/demo.sh): a fresh copy of one fragmented
# workload prepared four ways (in-process, collapse, pack, auto), then the
# chart of frames, present memory and time (tests/vm/demo-chart.sh, gnuplot).
demo: tools
	KC_MEM=$${KC_MEM:-2048} \
	bash tests/vm/run.sh --suite demo --kernels "$${KERNELS:-deb61 deb612}" \
		--bins "$(GUEST_BINS)"
	@png=$$(bash tests/vm/demo-chart.sh "$${KERNELS:-deb61 deb612}") && \
		echo "chart: $$png"

# The adversarial guest tests (netlink fuzz, stress, races, faults) at
# SOAK (default 10) times their make check sizes: hours instead of minutes;
# not part of check. KERNELS as for vm-test.
soak: tools
	KC_MEM=$${KC_MEM:-2048} KC_TIMEOUT=$${KC_TIMEOUT:-86400} \
	KC_BOOT_ARGS="$${KC_BOOT_ARGS:-} kc.soak=$${SOAK:-10}" \
	bash tests/vm/run.sh --suite soak --kernels "$${KERNELS:-deb61 projdbg}" \
		--bins "$(GUEST_BINS)"

# The benchmark suite (bench/, see README "Benchmarks"): kcollapse's engines
# against the in-process baseline in one Debian 6.1 guest. Not part of check.
bench:
	$(MAKE) -C bench run
bench-scaling: ; $(MAKE) -C bench scaling
# Lazy restore, measured (bench/resume/, README "Resume, measured"): each
# variant's guest migrated with QEMU postcopy onto 2 MiB hugetlbfs RAM, the
# 2 MiB pages its first answer requests counted. Root (hugetlb, userfaultfd).
# resume-smoke is its few-minute smoke run (one workload, none and pack).
resume-bench: ; $(MAKE) -C bench resume
resume-smoke: ; $(MAKE) -C bench resume-smoke

.PHONY: bench resume-bench resume-smoke

# The end-to-end suite in guest VMs (part of make check).
# KERNELS: deb61 deb612 (Debian 12's), deb13 deb13bpo (Debian 13's, built in the
# trixie chroot: scripts/trixie-chroot.sh), proj projdbg (kernel/*.config, built),
# projbuiltin (kcollapse built in, no module support; not in make check),
# newdbg (the debug kernel built from the newest trixie-backports source,
# linux-source-7.3 today, in the trixie chroot: KASAN and lockdep where empty
# PTE tables are freed under the read lock; not in make check).
# TESTS: names of tests/guest/t/ scripts to run instead of all (a name may repeat).
# The language runtimes t/60-runtimes.sh runs are built (once, cached) by
# tests/runtimes/bundle.sh and unpacked over each guest's initramfs; so is
# the kernel's ynl CLI with our spec (tests/ynl/bundle.sh) for t/63-ynl.sh.
# KC_NUMA_GUESTS boot with two NUMA nodes (t/36-pack-numa.sh needs them):
# deb612 by default, so the suite also runs once on a two-node guest.
vm-test: tools
	runtimes=$$(bash tests/runtimes/bundle.sh) && ynl=$$(bash tests/ynl/bundle.sh) && \
	KC_MEM=$${KC_MEM:-2048} KC_TIMEOUT=$${KC_TIMEOUT:-1800} \
	KC_NUMA_GUESTS="$${KC_NUMA_GUESTS-deb612}" \
	bash tests/vm/run.sh --suite e2e --kernels "$${KERNELS:-deb61 deb612}" \
		--bins "$(GUEST_BINS)" --cpio "$$runtimes $$ynl" $${TESTS:+--args "$$TESTS"}

# The same suite on the debug kernel (part of make check), split over two
# guests that boot side by side, one per core: "projdbg" runs every test but
# the long adversarial ones, "projdbg-adv" those (and a few more, to even out
# the two guests' times; it has two NUMA nodes); both end with kmemleak.
# DEBUG_EXTRA_TESTS run there in make check-extra (vm-extra-test) instead.
DEBUG_ADV_TESTS = 17-genl-unblocked 31-pack-pinned 35-pack-minimal-migration 36-pack-numa 37-pack-mlock 38-working-set 40-nlfuzz 41-stress 42-races 43-faults 44-alloc-faults 50-thp-opt-outs 52-stops
DEBUG_EXTRA_TESTS = 61-go-client 62-runtimes-debug
DEBUG_TESTS = $(filter-out $(DEBUG_ADV_TESTS) $(DEBUG_EXTRA_TESTS),$(basename $(notdir $(wildcard tests/guest/t/*.sh))))
vm-debug-test: tools
	runtimes=$$(bash tests/runtimes/bundle.sh) && \
	KC_MEM=$${KC_MEM:-2048} KC_TIMEOUT=$${KC_TIMEOUT:-1800} \
	KC_NUMA_GUESTS="$${KC_NUMA_GUESTS-projdbg-adv}" \
	bash tests/vm/run.sh --suite e2e --guest "projdbg projdbg $(DEBUG_TESTS)" \
		--guest "projdbg-adv projdbg $(DEBUG_ADV_TESTS) 99-kmemleak" \
		--bins "$(GUEST_BINS)" --cpio "$$runtimes"

# What make check's time budget leaves out (make check-extra), three guests
# side by side: the built-in kernel (no module support) running the whole
# suite, the debug kernel running DEBUG_EXTRA_TESTS (the Go client, Node.js
# under KASAN), and the debug kernel of the newest source (newdbg) running
# NEWDBG_TESTS: the page-table races where empty PTE tables are freed under
# the mmap read lock.
NEWDBG_TESTS = 00-kunit 45-pte-reclaim 42-races 30-pack 33-auto 99-kmemleak
vm-extra-test: tools
	runtimes=$$(bash tests/runtimes/bundle.sh) && ynl=$$(bash tests/ynl/bundle.sh) && \
	KC_MEM=$${KC_MEM:-2048} KC_TIMEOUT=$${KC_TIMEOUT:-1800} \
	bash tests/vm/run.sh --suite e2e --guest "projbuiltin projbuiltin" \
		--guest "projdbg-extra projdbg $(DEBUG_EXTRA_TESTS) 99-kmemleak" \
		--guest "newdbg newdbg $(NEWDBG_TESTS)" \
		--bins "$(GUEST_BINS)" --cpio "$$runtimes $$ynl"

# A Debian image with kcollapse installed from its packages through DKMS,
# booted with systemd (tests/image): Debian 12 by default (part of make
# check), Debian 13 with KC_IMAGE=trixie (output in out/image-trixie).
KC_IMAGE ?= bookworm
image-test:
	bash tests/image/run.sh $(KC_IMAGE)

clean:
	-test -d "$(KDIR)" && $(MAKE) -C "$(KDIR)" M="$(CURDIR)" clean
	$(MAKE) -C ctl clean
	$(MAKE) -C bridge clean
	$(MAKE) -C tests/ctl clean
	$(MAKE) -C tests/bridge clean
	$(MAKE) -C tests/workload clean
	$(MAKE) -C tests/tools clean

GUEST_BINS = $(CURDIR)/ctl/build/kcollapsectl \
	$(CURDIR)/bridge/build/kcollapsed $(CURDIR)/tests/bridge/build/kc-walltime \
	$(addprefix $(CURDIR)/tests/workload/,kc-workload kc-smaps kc-runas kc-hog kc-pageflags) \
	$(CURDIR)/tests/tools/kc-nlprobe $(CURDIR)/tests/tools/kc-nlfuzz \
	$(CURDIR)/tests/tools/kc-stress $(CURDIR)/tests/tools/kc-races \
	$(CURDIR)/tests/tools/kc-sparse $(CURDIR)/tests/tools/kc-genlping \
	$(CURDIR)/tests/bridge/conformance.sh $(CURDIR)/tests/bridge/build/kcd-decode \
	$(CURDIR)/go/build/kc-goclient \
	/usr/bin/jq /usr/bin/curl

.PHONY: all module tools style go-check check check-extra check-all demo soak bench-scaling resume-bench resume-smoke vm-test vm-debug-test vm-extra-test image-test dkms-install install uninstall dist deb deb-module clean
