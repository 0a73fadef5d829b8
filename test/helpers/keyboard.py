"""Runs a command on a pseudo-terminal and plays a person at its keyboard.

usage: keyboard.py STEPS_JSON CMD...   STEPS_JSON is a list of {"wait": text} (until the
command has printed text, 60 s at most), {"send": text} (typed at once, as fast as a
person who starts typing the instant the text appears) and {"sleep": seconds}.
Prints everything the terminal showed; exits with the command's status.
"""
import json, os, pty, select, sys, time

steps = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
seen = b""

def pump(deadline):
    global seen
    while True:
        left = deadline - time.time()
        if left <= 0:
            return True
        r, _, _ = select.select([fd], [], [], min(left, 0.05))
        if not r:
            return True
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            return False
        if not chunk:
            return False
        seen += chunk

pos = 0  # a wait matches text printed after the previous wait's match
for step in steps:
    if "wait" in step:
        want = step["wait"].encode()
        deadline = time.time() + 60
        while seen.find(want, pos) < 0:
            alive = pump(time.time() + 0.01)
            if seen.find(want, pos) >= 0:
                break
            if not alive or time.time() > deadline:
                sys.stdout.write(seen.decode("utf-8", "replace"))
                sys.exit("keyboard.py: never saw %r" % step["wait"])
        pos = seen.find(want, pos) + len(want)
    elif "send" in step:
        os.write(fd, step["send"].encode())
    elif "sleep" in step:
        pump(time.time() + step["sleep"])
while pump(time.time() + 60):
    pass
_, status = os.waitpid(pid, 0)
sys.stdout.write(seen.decode("utf-8", "replace"))
sys.exit(os.waitstatus_to_exitcode(status))
