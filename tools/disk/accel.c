#include "accel.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <stdio.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int accel_parse(const char *s, enum accel_mode *mode, struct kp_error *err)
{
	if (strcmp(s, "auto") == 0)
		*mode = ACCEL_AUTO;
	else if (strcmp(s, "kvm") == 0)
		*mode = ACCEL_KVM;
	else if (strcmp(s, "tcg") == 0)
		*mode = ACCEL_TCG;
	else
		return kp_fail(err, EINVAL, "unknown accelerator '%s' (use auto, kvm or tcg)", s);
	return 0;
}

/* Runs in the child: a real-mode guest whose only instruction is HLT. */
static int kvm_probe_child(void)
{
	struct kvm_userspace_memory_region region = { 0 };
	struct kvm_sregs sregs;
	struct kvm_regs regs = { 0 };
	struct kvm_run *run;
	unsigned char *mem;
	int kvm, vm, vcpu, run_size;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0 || ioctl(kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		return 1;
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return 1;
	mem = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return 1;
	mem[0] = 0xf4; /* hlt */
	region.guest_phys_addr = 0x1000;
	region.memory_size = 0x1000;
	region.userspace_addr = (unsigned long)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return 1;
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vcpu < 0 || run_size <= 0)
		return 1;
	run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED || ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		return 1;
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	regs.rip = 0x1000;
	regs.rflags = 0x2;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0 || ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		return 1;
	if (ioctl(vcpu, KVM_RUN, 0) < 0)
		return 1;
	return run->exit_reason == KVM_EXIT_HLT ? 0 : 1;
}

/* Stage 1: a one-instruction guest. Catches a /dev/kvm that cannot run
 * anything at all, in milliseconds. */
static int kvm_runs_hlt(int timeout_ms)
{
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	int status, waited = 0;
	pid_t pid;

	if (access("/dev/kvm", R_OK | W_OK) < 0)
		return 0;
	pid = fork();
	if (pid < 0)
		return 0;
	if (pid == 0) {
		alarm((unsigned)(timeout_ms / 1000 + 1));
		_exit(kvm_probe_child());
	}
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return WIFEXITED(status) && WEXITSTATUS(status) == 0;
		if (r < 0 && errno != EINTR)
			return 0;
		if (waited >= timeout_ms) {
			/* A child stuck in KVM_RUN may not die at once; do not wait for it. */
			kill(pid, SIGKILL);
			return 0;
		}
		nanosleep(&tick, NULL);
		waited += 20;
	}
}

/* A kernel to boot for stage 2: the host's, else libguestfs' appliance's. */
static int find_kernel(char *buf, size_t len)
{
	static const char *const patterns[] = {
		"/boot/vmlinuz-*",
		"/var/tmp/.guestfs-0/appliance.d/kernel",
		NULL,
	};
	size_t i, j;

	for (i = 0; patterns[i]; i++) {
		glob_t gl;

		if (glob(patterns[i], 0, NULL, &gl) != 0)
			continue;
		for (j = gl.gl_pathc; j-- > 0;) {
			if (access(gl.gl_pathv[j], R_OK) == 0) {
				snprintf(buf, len, "%s", gl.gl_pathv[j]);
				globfree(&gl);
				return 1;
			}
		}
		globfree(&gl);
	}
	return 0;
}

/* Stage 2: QEMU boots a real kernel on KVM and we wait for its first line
 * on the serial port. On the hosts this is for, SeaBIOS and a HLT run
 * fine on KVM but a Linux kernel never prints a thing. Working KVM prints
 * "Linux version" in well under a second. */
static int kvm_boots_kernel(const char *kernel, int timeout_ms)
{
	const char *argv[] = { "qemu-system-x86_64", "-accel", "kvm", "-m", "256", "-display", "none",
			       "-nodefaults", "-no-user-config", "-no-reboot", "-serial", "stdio",
			       "-kernel", kernel, "-append",
			       "console=ttyS0 earlyprintk=serial panic=-1 root=/dev/null", NULL };
	char buf[8192];
	size_t used = 0;
	int fds[2], ok = 0, status, waited = 0;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return 0;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return 0;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, STDIN_FILENO);
		dup2(fds[1], STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	while (!ok && waited < timeout_ms) {
		struct pollfd p = { .fd = fds[0], .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 100) <= 0) {
			waited += 100;
			continue;
		}
		n = read(fds[0], buf + used, sizeof(buf) - 1 - used);
		if (n <= 0)
			break; /* QEMU is gone */
		used += (size_t)n;
		buf[used] = '\0';
		ok = strstr(buf, "Linux version") != NULL;
		if (used >= sizeof(buf) - 1)
			break;
	}
	close(fds[0]);
	kill(pid, SIGKILL);
	/* Reap it if it died; a QEMU stuck in KVM is left to init. */
	for (waited = 0; waited < 1000 && waitpid(pid, &status, WNOHANG) == 0; waited += 50)
		usleep(50 * 1000);
	return ok;
}

int accel_kvm_works(int timeout_ms)
{
	char kernel[4096];

	if (!kvm_runs_hlt(timeout_ms))
		return 0;
	if (!find_kernel(kernel, sizeof(kernel)))
		return 1; /* nothing to boot: trust stage 1 */
	return kvm_boots_kernel(kernel, timeout_ms);
}

/* libguestfs reads force_tcg as a boolean: "" is not one, and launch fails silently. */
int accel_apply(guestfs_h *g, enum accel_mode mode, struct kp_error *err)
{
	int r = 0;

	switch (mode) {
	case ACCEL_AUTO:
		if (getenv("LIBGUESTFS_BACKEND_SETTINGS"))
			return 0; /* the caller chose: libguestfs read it already */
		if (!accel_kvm_works(8000))
			r = guestfs_set_backend_setting(g, "force_tcg", "1");
		break;
	case ACCEL_TCG:
		r = guestfs_set_backend_setting(g, "force_tcg", "1");
		break;
	case ACCEL_KVM:
		guestfs_clear_backend_setting(g, "force_tcg");
		break;
	}
	if (r < 0)
		return kp_fail(err, EIO, "cannot select the TCG accelerator: %s", guestfs_last_error(g));
	return 0;
}

const char *accel_name(guestfs_h *g)
{
	char *v = guestfs_get_backend_setting(g, "force_tcg");

	if (v) {
		free(v);
		return "tcg";
	}
	return "kvm";
}
