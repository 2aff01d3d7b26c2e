"""The kernel process that jupyter_client launches when kernels are forked (see kernel_forks.py).

Run as ``python -I -S kernel_stub.py SERVER_SOCKET -f CONNECTION_FILE`` — standard library only,
so it starts in milliseconds. It asks the fork server for a kernel on the connection file, in this
process's working folder, then stands in for that kernel: signals it receives (interrupt,
terminate) go to the kernel, it exits when the kernel exits, and if the run that launched it dies
it kills the kernel. The kernel in turn exits if this stub dies (killed by the run on Ctrl-C, or
by ``shutdown_kernel(now=True)``).
"""

import json
import os
import select
import signal
import socket
import sys


def main(argv: list[str]) -> int:
    server, connection_file = argv[1], argv[argv.index("-f") + 1]
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.connect(server)
        request = {"connection_file": connection_file, "cwd": os.getcwd(), "stub": os.getpid()}
        conn.sendall(json.dumps(request).encode() + b"\n")
        reply = conn.makefile("rb").readline()
    kernel = json.loads(reply)["pid"]

    def forward(signum, _frame):
        try:
            os.kill(kernel, signum)
        except ProcessLookupError:
            pass

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT, signal.SIGUSR1):
        signal.signal(signum, forward)
    watched = [os.pidfd_open(kernel)]
    run = int(os.environ.get("JPY_PARENT_PID") or 0)
    if run:
        try:
            watched.append(os.pidfd_open(run))
        except ProcessLookupError:
            forward(signal.SIGKILL, None)
            return 1
    while True:
        try:
            ready, _, _ = select.select(watched, [], [])
        except InterruptedError:
            continue
        if watched[0] in ready:
            return 0  # the kernel finished
        forward(signal.SIGKILL, None)  # the run is gone: so is its kernel
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
