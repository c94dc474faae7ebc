# hvdbg - Hypervisor.framework-compatible API on Linux, gdb server, REPL.
#
#   make            build the library and programs
#   make check      build and run every test suite (Check)
#   make check-asan the same under ASan+UBSan (build-asan/)
#   make bench      run the benchmarks against their peers (bench/README.md)
#   make check-kvm  the conformance suites on kvm in a nested-KVM VM
#   make check-valgrind  the suites under valgrind memcheck
#   make fuzz       run each libFuzzer target for FUZZ_SECONDS (build-fuzz/)
#   make linux-demo Debian's arm64 kernel to a busybox shell in the REPL
#   make deps       install the Debian packages this project needs
#   make install    headers, libraries, hvdbg, pkg-config file, man page, docs
#                   into $(DESTDIR)$(PREFIX) (default /usr/local); make uninstall

CC      ?= gcc
CROSS   ?= aarch64-linux-gnu-
OBJCOPY ?= objcopy
VERSION := 0.2.0
SOVERSION := 0
PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
OPT     ?= -O2
SAN     ?=
CFLAGS  ?=
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror $(OPT) -g $(SAN) \
           -Iinclude -fno-strict-aliasing -DHVDBG_VERSION=\"$(VERSION)\"
LDFLAGS += $(SAN)
LDLIBS  += -lpthread -lm

HOST_ARCH := $(shell uname -m)

LIB_SRCS := $(wildcard src/vcpu/*.c src/vcpu/gic/*.c src/vcpu/emu/*.c src/vcpu/emu/jit/*.c)
ifeq ($(HOST_ARCH),aarch64)
LIB_SRCS += $(wildcard src/vcpu/kvm/*.c)
CFLAGS   += -DHV_HAVE_KVM
endif
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
# Library objects are position-independent (for the shared library) with
# hidden visibility: only what the public headers declare with
# visibility("default") (hv_*, os_*, mach_*) leaves the library.
LIB_CFLAGS := -fPIC -fvisibility=hidden
LIB      := $(BUILD)/libhypervisor.a
LIB_SO   := $(BUILD)/libhypervisor.so.$(VERSION)
LIB_SONAME := libhypervisor.so.$(SOVERSION)
# One relocatable object holds the whole library for the static archive,
# its internal symbols made local, so that a VMM's own mem_read or
# hv_memmap_add cannot clash with ours.
LIB_RELOC := $(BUILD)/libhypervisor.o
# The test suites also link the library's objects as they are: one
# helper asks the library which backend it selected (tests/support/backend.c).
LIB_INTERNAL := $(BUILD)/libhypervisor-internal.a

# Test suites: tests/test_*.c, each its own Check binary, plus shared
# helpers in tests/support/.  Guest snippets tests/guests/*.S are assembled
# for aarch64 into flat binaries the tests load at run time.
TEST_SRCS     := $(wildcard tests/test_*.c)
TEST_BINS     := $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)
TEST_SUPPORT  := $(wildcard tests/support/*.c)
TEST_SUP_OBJS := $(TEST_SUPPORT:%.c=$(BUILD)/%.o)
GUEST_SRCS    := $(wildcard tests/guests/*.S)
GUEST_BINS    := $(GUEST_SRCS:tests/guests/%.S=$(BUILD)/tests/guests/%.bin)
TEST_CFLAGS   := $(shell pkg-config --cflags check 2>/dev/null) -Itests/support \
                 -DGUEST_DIR=\"$(abspath $(BUILD))/tests/guests\" '-DHV_TEST_SAN="$(SAN)"'
TEST_LIBS     := $(shell pkg-config --libs check 2>/dev/null) -lunicorn -lm

# Example guests (flat images linked at the RAM base 0x40000000) and VMMs.
EX_GUEST_SRCS := $(wildcard examples/guests/*.S)
EX_GUEST_BINS := $(EX_GUEST_SRCS:examples/guests/%.S=$(BUILD)/examples/guests/%.bin)
EX_VMM_SRCS   := $(wildcard examples/vmm/*.c)
EX_VMM_BINS   := $(EX_VMM_SRCS:examples/vmm/%.c=$(BUILD)/examples/vmm/%)

# Debugger layer: ELF loader, default machine, gdb server, REPL.
HVDBG_SRCS := $(wildcard src/elf/*.c src/machine/*.c src/console/*.c src/rsp/*.c src/repl/*.c)
HVDBG_OBJS := $(HVDBG_SRCS:%.c=$(BUILD)/%.o)
HVDBG_LIB  := $(BUILD)/libhvdbg.a
HVDBG_LIBS := -lelf -ldw -ledit -lcapstone -lfdt -lz
HVDBG_BIN  := $(BUILD)/hvdbg
HVDBG_CFLAGS ?= # e.g. -I of a cross sysroot (tests/kvm/check.sh)
$(HVDBG_OBJS) $(BUILD)/src/main.o: CFLAGS += $(HVDBG_CFLAGS)

BENCH_SRCS := $(wildcard bench/*.c)
BENCH_BINS := $(BENCH_SRCS:bench/%.c=$(BUILD)/bench/%)

.PHONY: linux-demo linux-files install uninstall fuzz check-valgrind all lib check check-kvm check-asan bench deps clean guests tests examples run
all: lib tests examples $(HVDBG_BIN)

lib: $(LIB) $(LIB_SO) $(HVDBG_LIB)

$(LIB_OBJS): $(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LIB_CFLAGS) -MMD -MP -c -o $@ $<

$(LIB_RELOC): $(LIB_OBJS)
	$(CC) -r -nostdlib -o $@ $^
	$(OBJCOPY) --localize-hidden $@

$(LIB): $(LIB_RELOC)
	@rm -f $@
	ar rcs $@ $^

$(LIB_INTERNAL): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(LIB_SO): $(LIB_OBJS) src/vcpu/libhypervisor.map
	$(CC) $(LDFLAGS) -shared -Wl,-soname,$(LIB_SONAME) \
		-Wl,--version-script=src/vcpu/libhypervisor.map -Wl,-z,defs -Wl,-z,noexecstack \
		-o $@ $(LIB_OBJS) $(LDLIBS) -lc
	ln -sf $(notdir $@) $(BUILD)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(BUILD)/libhypervisor.so

$(HVDBG_LIB): $(HVDBG_OBJS)
	@rm -f $@
	ar rcs $@ $^

# The hvdbg program: REPL, or gdb server with --gdb/--gdb-stdio.
$(HVDBG_BIN): $(BUILD)/src/main.o $(HVDBG_LIB) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(HVDBG_LIBS) $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/support/%.o: tests/support/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(TEST_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/%.c $(TEST_SUP_OBJS) $(HVDBG_LIB) $(LIB_INTERNAL)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(TEST_CFLAGS) -MMD -MP -o $@ $< $(TEST_SUP_OBJS) $(HVDBG_LIB) $(LIB_INTERNAL) $(LDFLAGS) $(TEST_LIBS) $(HVDBG_LIBS) $(LDLIBS)

$(BUILD)/tests/guests/%.bin: tests/guests/%.S
	@mkdir -p $(dir $@)
	$(CROSS)gcc -nostdlib -nostartfiles -static -Wl,-Ttext=0 -Wl,--build-id=none \
		-Itests/guests -o $(@:.bin=.elf) $<
	$(CROSS)objcopy -O binary $(@:.bin=.elf) $@

$(BUILD)/examples/guests/%.bin: examples/guests/%.S
	@mkdir -p $(dir $@)
	$(CROSS)gcc -g -nostdlib -nostartfiles -static -Wl,-Ttext=0x40000000 -Wl,--build-id=none \
		-o $(@:.bin=.elf) $<
	$(CROSS)objcopy -O binary $(@:.bin=.elf) $@

$(BUILD)/examples/vmm/%: examples/vmm/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDFLAGS) $(LDLIBS)

examples: $(EX_GUEST_BINS) $(EX_VMM_BINS)

# The main demo: a minimal VMM on the public API runs the hello guest.
run: examples
	$(BUILD)/examples/vmm/mini_vmm $(BUILD)/examples/guests/hello.bin

# Debian's arm64 kernel to a busybox shell in the REPL (docs/machine.md,
# "Booting Linux"): kernel, busybox and the kernel's symbols come through
# apt once (tests/linux/fetch.sh) and are linked into $(BUILD)/linux/ with
# the demo initramfs (make linux-files).  SMP=N vCPUs.
SMP ?= 2
linux-files: $(HVDBG_BIN)
	@set -e; files=$$(tests/linux/fetch.sh $(HVDBG_BIN)); set -- $$files; mkdir -p $(BUILD)/linux; \
	ln -sf $$1 $(BUILD)/linux/Image; ln -sf $$3 $(BUILD)/linux/System.map; \
	tests/linux/initramfs.sh demo $(BUILD)/linux/demo.cpio
linux-demo: linux-files
	@echo "hvdbg: 'continue' boots; in the shell try ls /proc; Ctrl-C returns here (bt, info gic), 'continue' goes back"
	exec $(HVDBG_BIN) --kernel $(BUILD)/linux/Image --initrd $(BUILD)/linux/demo.cpio \
		--symbols $(BUILD)/linux/System.map --smp $(SMP) --append "console=ttyAMA0 quiet"

$(BUILD)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDFLAGS) $(LDLIBS)

tests: $(TEST_BINS) $(GUEST_BINS)
guests: $(GUEST_BINS)

# Runs every suite; each prints Check's summary line.  Fails if any fails.
# Then the suites on the kvm backend in a nested-KVM VM (tests/kvm/check.sh;
# skipped with a message when its prerequisites are missing, or with
# HVDBG_SKIP_KVM=1).
# The emu suites run with the translator on (where the host has one) and
# translating every block at once (HV_EMU_JIT_HOT=0, so that code which
# runs once is translated too) - except the Linux boots, which run as
# users run them (hot blocks translated: translating every block a
# kernel boot runs once costs more than it gains); the differential and
# exception suites then run again interpreted only (HV_EMU_JIT=0).
JIT_OFF_SUITES := test_diff_int test_diff_ldst test_diff_fp test_el1 test_exits test_mmu
check: tests examples $(HVDBG_BIN)
	@fail=0; for t in $(TEST_BINS); do \
		echo "== $$t"; \
		hot=0; case $$t in */test_linux) hot=255;; esac; \
		HV_EMU_JIT_HOT=$${HV_EMU_JIT_HOT:-$$hot} CK_DEFAULT_TIMEOUT=$${CK_DEFAULT_TIMEOUT:-120} ./$$t || fail=1; \
	done; \
	for t in $(JIT_OFF_SUITES); do \
		[ -x $(BUILD)/tests/$$t ] || continue; \
		echo "== $(BUILD)/tests/$$t (HV_EMU_JIT=0: interpreter only)"; \
		HV_EMU_JIT=0 CK_DEFAULT_TIMEOUT=$${CK_DEFAULT_TIMEOUT:-120} $(BUILD)/tests/$$t || fail=1; \
	done; \
	if [ -z "$$HVDBG_SKIP_KVM" ]; then \
		echo "== kvm backend (tests/kvm/check.sh)"; \
		tests/kvm/check.sh --if-available || fail=1; \
	fi; exit $$fail

check-asan:
	HVDBG_SKIP_KVM=1 $(MAKE) BUILD=build-asan OPT=-O1 \
		SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" check

# The conformance suites on the kvm backend, inside a nested-KVM arm64 VM
# (qemu-system-aarch64 TCG with virtualization=on; tests/kvm/).
check-kvm:
	tests/kvm/check.sh

# Runs bench/*.sh against their peers and regenerates bench/README.md and
# bench/interp-throughput.png.
bench: $(BENCH_BINS) $(GUEST_BINS) $(HVDBG_BIN) $(EX_GUEST_BINS)
	scripts/bench-report.sh

# libFuzzer targets fuzz/*.c (clang), FUZZ_SECONDS each (default 60).
fuzz:
	scripts/fuzz.sh

# The suites under valgrind memcheck, CK_FORK=no (list and exclusions: the script).
check-valgrind:
	scripts/check-valgrind.sh

deps:
	./scripts/install-deps.sh

# Installation (PREFIX, DESTDIR as usual).  pkg-config --cflags --libs
# hypervisor then builds a program that includes <Hypervisor/Hypervisor.h>
# (add --static for the archive).
BINDIR  = $(PREFIX)/bin
LIBDIR  = $(PREFIX)/lib
INCDIR  = $(PREFIX)/include
MANDIR  = $(PREFIX)/share/man
DOCDIR  = $(PREFIX)/share/doc/hvdbg
PC_FILE := $(BUILD)/hypervisor.pc
PUBLIC_HEADERS := $(wildcard include/Hypervisor/*.h include/mach/*.h include/os/*.h)
INSTALL_DOCS := README.md $(wildcard docs/*.md)

$(PC_FILE): src/vcpu/hypervisor.pc.in Makefile
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' $< > $@

install: $(LIB) $(LIB_SO) $(HVDBG_BIN) $(PC_FILE)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(DOCDIR) $(DESTDIR)$(INCDIR)/Hypervisor $(DESTDIR)$(INCDIR)/mach $(DESTDIR)$(INCDIR)/os
	install -m 644 $(wildcard include/Hypervisor/*.h) $(DESTDIR)$(INCDIR)/Hypervisor
	install -m 644 $(wildcard include/mach/*.h) $(DESTDIR)$(INCDIR)/mach
	install -m 644 $(wildcard include/os/*.h) $(DESTDIR)$(INCDIR)/os
	install -m 644 $(LIB) $(DESTDIR)$(LIBDIR)
	install -m 755 $(LIB_SO) $(DESTDIR)$(LIBDIR)
	ln -sf $(notdir $(LIB_SO)) $(DESTDIR)$(LIBDIR)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(DESTDIR)$(LIBDIR)/libhypervisor.so
	install -m 644 $(PC_FILE) $(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 755 $(HVDBG_BIN) $(DESTDIR)$(BINDIR)
	install -m 644 docs/man/hvdbg.1 $(DESTDIR)$(MANDIR)/man1
	install -m 644 $(INSTALL_DOCS) $(DESTDIR)$(DOCDIR)
	@# The dynamic loader finds a new library in PREFIX/lib only once its
	@# cache knows it (a real install as root; not for DESTDIR staging).
	@if [ -z "$(DESTDIR)" ] && [ -w /etc/ld.so.cache ] && command -v ldconfig >/dev/null; then ldconfig; fi

uninstall:
	rm -f $(addprefix $(DESTDIR)$(INCDIR)/,$(PUBLIC_HEADERS:include/%=%))
	-rmdir $(DESTDIR)$(INCDIR)/Hypervisor $(DESTDIR)$(INCDIR)/mach $(DESTDIR)$(INCDIR)/os 2>/dev/null
	rm -f $(DESTDIR)$(LIBDIR)/libhypervisor.a $(DESTDIR)$(LIBDIR)/$(notdir $(LIB_SO)) \
		$(DESTDIR)$(LIBDIR)/$(LIB_SONAME) $(DESTDIR)$(LIBDIR)/libhypervisor.so \
		$(DESTDIR)$(LIBDIR)/pkgconfig/hypervisor.pc $(DESTDIR)$(BINDIR)/hvdbg \
		$(DESTDIR)$(MANDIR)/man1/hvdbg.1
	rm -rf $(DESTDIR)$(DOCDIR)

clean:
	rm -rf build build-asan build-fuzz build-clang build-arm64

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
