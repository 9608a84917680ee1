// Linux calls that Swift's Glibc module does not expose (they sit behind _GNU_SOURCE).
// Declared here so the engine can call glibc's own implementations directly.
int syncfs(int fd);
