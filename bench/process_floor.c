/* process_floor.c — what any program costs on this machine to do the
 * input and output of `calcify run SCENARIO -o OUT`, and nothing else:
 * start (linked as the CLI is: statically where the CLI is), read the
 * input files, write BYTES to a temporary beside OUT in 16 KiB writes (as
 * stdio does), rename it over OUT, exit.  The whole-run target of issue 21
 * is judged against it:
 *
 *   perf stat -r 100 build/bench/calcify-bench-floor OUT BYTES FILE...
 *   perf stat -r 100 build/calcify run SCENARIO -o OUT
 *
 * OUT "-" writes to standard output instead (as `calcify run` without
 * -o); BYTES 0 writes nothing. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { CHUNK = 16384 };

static int write_all(int fd, size_t bytes)
{
    static char chunk[CHUNK];
    memset(chunk, '1', sizeof chunk);
    for (size_t done = 0; done < bytes;) {
        size_t n = bytes - done < CHUNK ? bytes - done : CHUNK;
        ssize_t w = write(fd, chunk, n);
        if (w < 0)
            return -1;
        done += (size_t)w;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s OUT BYTES [FILE...]\n", argv[0]);
        return 2;
    }
    char *end;
    const unsigned long long bytes = strtoull(argv[2], &end, 10);
    if (*end || end == argv[2]) {
        fprintf(stderr, "%s: BYTES '%s' (expected a whole number)\n", argv[0], argv[2]);
        return 2;
    }
    static char in[1 << 16];
    for (int k = 3; k < argc; k++) {
        int fd = open(argv[k], O_RDONLY | O_CLOEXEC);
        if (fd < 0 || read(fd, in, sizeof in) < 0) {
            fprintf(stderr, "%s: %s: %s\n", argv[0], argv[k], strerror(errno));
            return 1;
        }
        close(fd);
    }
    if (strcmp(argv[1], "-") == 0)
        return write_all(STDOUT_FILENO, (size_t)bytes) ? 1 : 0;
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", argv[1]) >= (int)sizeof tmp) {
        fprintf(stderr, "%s: OUT too long\n", argv[0]);
        return 2;
    }
    int fd = mkstemp(tmp);
    if (fd < 0 || write_all(fd, (size_t)bytes) || close(fd) || rename(tmp, argv[1])) {
        fprintf(stderr, "%s: %s: %s\n", argv[0], tmp, strerror(errno));
        if (fd >= 0)
            unlink(tmp);
        return 1;
    }
    return 0;
}
