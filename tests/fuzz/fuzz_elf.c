/*
 * fuzz_elf - libFuzzer target of the executable inspection of
 * bin/inspect.c (what sctpize checks of a program before it runs it:
 * is_static_elf() reads the ELF header and program headers to find
 * PT_INTERP; preload_obstacle()).
 *
 * inspect.c is included with its pread() served from the input; the input is also the content of the file, held in
 * a memfd and named /proc/self/fd/N, for open(), stat() and getxattr().  Checked
 * besides memory safety and undefined behaviour: the answer is the one a
 * reading of the bytes gives (a 64-bit ELF executable or shared object whose
 * program headers, as far as they lie inside the file, include no
 * PT_INTERP), and a memfd is never set-user-ID, set-group-ID or capable.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/* pread() of the file is served from the input: one system call per
 * program header made the runs a hundred times slower. */
static const uint8_t *input;
static size_t input_size;

static ssize_t fuzz_pread(int fd, void *buf, size_t n, off_t off)
{
	(void)fd;
	if (off < 0)
		return -1;
	if ((uint64_t)off >= input_size)
		return 0;
	if (n > input_size - (uint64_t)off)
		n = input_size - (uint64_t)off;
	memcpy(buf, input + off, n);
	return (ssize_t)n;
}

#define pread fuzz_pread
#include "../../bin/inspect.c"
#undef pread

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

static int memfd = -1;
static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	memfd = memfd_create("fuzz_elf", MFD_CLOEXEC);
	if (memfd < 0)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	return 0;
}

static bool reference_static(const uint8_t *d, size_t size)
{
	Elf64_Ehdr eh;

	if (size < sizeof(eh))
		return false;
	memcpy(&eh, d, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    (eh.e_type != ET_EXEC && eh.e_type != ET_DYN))
		return false;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		/* The offset as pread() gets it: modulo 2^64, and refused (EINVAL)
		 * when negative as an off_t. */
		uint64_t off = eh.e_phoff + (uint64_t)i * sizeof(ph);

		if (off > INT64_MAX || off > size || size - off < sizeof(ph))
			continue;
		memcpy(&ph, d + off, sizeof(ph));
		if (ph.p_type == PT_INTERP)
			return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Elf64_Ehdr eh;

	/* The kernel runs no ELF file with more program headers than fit in 64 KiB
	 * (fs/binfmt_elf.c): larger counts would only make the runs slow. */
	if (size >= sizeof(eh)) {
		memcpy(&eh, data, sizeof(eh));
		if (eh.e_phnum > 65536 / sizeof(Elf64_Phdr))
			return -1;
	}
	input = data;
	input_size = size;
	if (ftruncate(memfd, 0) != 0 || pwrite(memfd, data, size, 0) != (ssize_t)size)
		abort();

	bool got = is_static_elf(path), want = reference_static(data, size);
	enum obstacle o = preload_obstacle(path);

	if (got != want || o != (want ? STATIC : NO_OBSTACLE)) {
		fprintf(stderr, "fuzz_elf: is_static_elf %d, expected %d; obstacle %d\n", got, want,
			o);
		abort();
	}
	return 0;
}
