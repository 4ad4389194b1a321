# SPDX-License-Identifier: MIT
#
# What the userspace Makefiles (ctl/, bridge/, tests/ctl, tests/bridge,
# tests/workload) share: their defaults, the sanitizer and hardening
# flags, the libraries from pkg-config and the flags stamp. Include it
# after setting FLAGS_STAMP (the file the objects depend on) and KC_NEEDS
# (the libraries: nl, json, mhd); set BUILD_FLAGS (what the stamp
# records) any time.
#
# CPPFLAGS, CFLAGS and LDFLAGS are the caller's (dpkg-buildflags' among
# them): a Makefile puts them after its own flags, never replaces them.

CC ?= cc
PKG_CONFIG ?= pkg-config
CFLAGS ?= -O2 -g
LDFLAGS ?=
SANITIZE ?= 0

# AddressSanitizer and UBSan, compile and link, with SANITIZE=1.
ifeq ($(SANITIZE),1)
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -g
endif

# Hardening: stack protector, RELRO and immediate binding always (PIE is
# each Makefile's: the library is PIC); _FORTIFY_SOURCE=2 unless CPPFLAGS
# sets a level of its own or the sanitizers run (ASan checks what it
# would).
HARDEN_CPPFLAGS := $(if $(findstring _FORTIFY_SOURCE,$(CPPFLAGS))$(filter 1,$(SANITIZE)),,-D_FORTIFY_SOURCE=2)
HARDEN_CFLAGS := -fstack-protector-strong
# Where the compiler has them for this target (-fcf-protection: x86 only).
HARDEN_CFLAGS += $(shell for f in -fstack-clash-protection -fcf-protection; do \
	$(CC) -Werror $$f -c -x c -o /dev/null /dev/null 2>/dev/null && \
	printf '%s ' $$f; done)
HARDEN_LDFLAGS := -Wl,-z,relro,-z,now

# $(call kc_pkg,--cflags|--libs,MODULE): pkg-config's answer, "" if none.
kc_pkg = $(shell $(PKG_CONFIG) $(1) $(2) 2>/dev/null)

# $(call kc_require,VALUE,MODULE,DEBIAN-PACKAGE): stop with an install
# hint when VALUE (a kc_pkg answer) is empty, unless only cleaning.
KC_BUILDING := $(filter-out clean uninstall,$(or $(MAKECMDGOALS),all))
kc_require = $(if $(KC_BUILDING),$(if $(strip $(1)),,$(error $(2) not \
	found by pkg-config (apt-get install $(3)))))

# KC_NEEDS: NL_ (libnl-genl-3.0), JSON_ (json-c), MHD_ (libmicrohttpd)
# CFLAGS and LIBS, each required.
ifneq ($(filter nl,$(KC_NEEDS)),)
NL_CFLAGS := $(call kc_pkg,--cflags,libnl-genl-3.0)
NL_LIBS := $(call kc_pkg,--libs,libnl-genl-3.0)
$(call kc_require,$(NL_LIBS),libnl-genl-3.0,libnl-genl-3-dev)
endif
ifneq ($(filter json,$(KC_NEEDS)),)
JSON_CFLAGS := $(call kc_pkg,--cflags,json-c)
JSON_LIBS := $(call kc_pkg,--libs,json-c)
$(call kc_require,$(JSON_LIBS),json-c,libjson-c-dev)
endif
ifneq ($(filter mhd,$(KC_NEEDS)),)
MHD_CFLAGS := $(call kc_pkg,--cflags,libmicrohttpd)
MHD_LIBS := $(call kc_pkg,--libs,libmicrohttpd)
$(call kc_require,$(MHD_LIBS),libmicrohttpd,libmicrohttpd-dev)
endif

# Rebuild everything when the compiler or flags change (e.g. SANITIZE=1
# after a plain build): the objects depend on $(FLAGS_STAMP), rewritten
# only when $(BUILD_FLAGS) differs from what it holds.
# Not the including Makefile's default goal: that stays its first own.
kc_default_goal := $(.DEFAULT_GOAL)
$(FLAGS_STAMP): FORCE
	@mkdir -p $(@D)
	@echo '$(BUILD_FLAGS)' | cmp -s - $@ || echo '$(BUILD_FLAGS)' > $@

FORCE:
.PHONY: FORCE
.DEFAULT_GOAL := $(kc_default_goal)
