# Thin wrapper over meson so people get the commands they expect.
#   make            build (build/)
#   make demo       install missing Debian packages, build, run the built-in example
#   make check      install missing Debian packages, build normal + ASan/UBSan, run every test
#   make fuzz       build libFuzzer targets with clang (build-fuzz/) and run each briefly
#   make bench      run the benchmarks in bench/ against the anchors (gocryptfs, encfs, sysstat)
#   make install    binaries, man pages, units, job script, completion, examples (PREFIX=/usr/local)
#   make dist       a source tarball of the committed tree (build/meson-dist/), built by the same commands
#   make deb        Debian packages sealfs and headroom (debian/, dpkg-buildpackage) into ..

BUILD   ?= build
ASAN    ?= build-asan
FUZZ    ?= build-fuzz
PREFIX  ?= /usr/local
MESON   ?= meson
NINJA   ?= ninja

.PHONY: all deps build asan check demo fuzz bench install dist deb clean

all: build

# the Debian packages each command needs (scripts/install-deps.sh lists them)
deps:
	@./scripts/install-deps.sh check

$(BUILD)/build.ninja:
	$(MESON) setup --prefix=$(PREFIX) $(BUILD) >/dev/null

$(ASAN)/build.ninja:
	$(MESON) setup -Db_sanitize=address,undefined -Db_lundef=false $(ASAN) >/dev/null

build: $(BUILD)/build.ninja
	@$(NINJA) -C $(BUILD) --quiet


asan: $(ASAN)/build.ninja
	@$(NINJA) -C $(ASAN) --quiet


check:
	@./scripts/install-deps.sh check
	@$(MAKE) --no-print-directory build asan
	@./tests/run-tests.sh $(BUILD) $(ASAN)

demo:
	@./scripts/install-deps.sh demo
	@$(MAKE) --no-print-directory build
	@./scripts/demo.sh $(BUILD)

fuzz:
	@./scripts/install-deps.sh fuzz
	test -f $(FUZZ)/build.ninja || CC=clang $(MESON) setup -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false $(FUZZ) >/dev/null
	$(NINJA) -C $(FUZZ)
	./scripts/run-fuzzers.sh $(FUZZ)

bench:
	@./scripts/install-deps.sh bench
	@$(MAKE) --no-print-directory build
	./bench/fs.sh $(BUILD)
	./bench/record.sh $(BUILD)
	./bench/report.sh $(BUILD)
	./bench/advise.sh $(BUILD)
	./bench/render.sh $(BUILD)
	./bench/fleet.sh $(BUILD)

# PREFIX applies even when build/ was configured earlier (by make demo, say)
install: build
	$(MESON) configure -Dprefix=$(PREFIX) $(BUILD) >/dev/null
	$(MESON) install -C $(BUILD)

dist: build
	$(MESON) dist -C $(BUILD) --no-tests --formats xztar --allow-dirty

deb:
	@./scripts/install-deps.sh deb
	dpkg-buildpackage -b -us -uc

clean:
	rm -rf $(BUILD) $(ASAN) $(FUZZ) tests/out
