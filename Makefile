# hvdbg - Hypervisor.framework-compatible API on Linux, gdb server, REPL.
#
#   make            build the library and programs
#   make check      build and run every test suite (Check)
#   make check-asan the same under ASan+UBSan (build-asan/)
#   make bench      run the benchmarks against their peers (bench/README.md)
#   make check-kvm  the conformance suites on kvm in a nested-KVM VM
#   make check-valgrind  the suites under valgrind memcheck
#   make fuzz       run each libFuzzer target for FUZZ_SECONDS (build-fuzz/)
#   make deps       install the Debian packages this project needs

CC      ?= gcc
CROSS   ?= aarch64-linux-gnu-
BUILD   ?= build
OPT     ?= -O2
SAN     ?=
CFLAGS  ?=
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror $(OPT) -g $(SAN) \
           -Iinclude -fno-strict-aliasing
LDFLAGS += $(SAN)
LDLIBS  += -lpthread -lm

HOST_ARCH := $(shell uname -m)

LIB_SRCS := $(wildcard src/vcpu/*.c src/vcpu/emu/*.c)
ifeq ($(HOST_ARCH),aarch64)
LIB_SRCS += $(wildcard src/vcpu/kvm/*.c)
CFLAGS   += -DHV_HAVE_KVM
endif
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
LIB      := $(BUILD)/libhypervisor.a

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
                 -DGUEST_DIR=\"$(abspath $(BUILD))/tests/guests\"
TEST_LIBS     := $(shell pkg-config --libs check 2>/dev/null) -lunicorn -lm

# Example guests (flat images linked at the RAM base 0x40000000) and VMMs.
EX_GUEST_SRCS := $(wildcard examples/guests/*.S)
EX_GUEST_BINS := $(EX_GUEST_SRCS:examples/guests/%.S=$(BUILD)/examples/guests/%.bin)
EX_VMM_SRCS   := $(wildcard examples/vmm/*.c)
EX_VMM_BINS   := $(EX_VMM_SRCS:examples/vmm/%.c=$(BUILD)/examples/vmm/%)

# Debugger layer: ELF loader, default machine, gdb server, REPL.
HVDBG_SRCS := $(wildcard src/elf/*.c src/machine/*.c src/rsp/*.c src/repl/*.c)
HVDBG_OBJS := $(HVDBG_SRCS:%.c=$(BUILD)/%.o)
HVDBG_LIB  := $(BUILD)/libhvdbg.a
HVDBG_LIBS := -lelf -ldw -ledit -lcapstone
HVDBG_BIN  := $(BUILD)/hvdbg

BENCH_SRCS := $(wildcard bench/*.c)
BENCH_BINS := $(BENCH_SRCS:bench/%.c=$(BUILD)/bench/%)

.PHONY: fuzz check-valgrind all lib check check-kvm check-asan bench deps clean guests tests examples run
all: lib tests examples $(HVDBG_BIN)

lib: $(LIB) $(HVDBG_LIB)

$(LIB): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

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

$(BUILD)/tests/%: tests/%.c $(TEST_SUP_OBJS) $(HVDBG_LIB) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(TEST_CFLAGS) -MMD -MP -o $@ $< $(TEST_SUP_OBJS) $(HVDBG_LIB) $(LIB) $(LDFLAGS) $(TEST_LIBS) $(HVDBG_LIBS) $(LDLIBS)

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

$(BUILD)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDFLAGS) $(LDLIBS)

tests: $(TEST_BINS) $(GUEST_BINS)
guests: $(GUEST_BINS)

# Runs every suite; each prints Check's summary line.  Fails if any fails.
# Then the suites on the kvm backend in a nested-KVM VM (tests/kvm/check.sh;
# skipped with a message when its prerequisites are missing, or with
# HVDBG_SKIP_KVM=1).
check: tests $(HVDBG_BIN)
	@fail=0; for t in $(TEST_BINS); do \
		echo "== $$t"; \
		CK_DEFAULT_TIMEOUT=$${CK_DEFAULT_TIMEOUT:-120} ./$$t || fail=1; \
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

clean:
	rm -rf build build-asan build-fuzz build-clang build-arm64

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
