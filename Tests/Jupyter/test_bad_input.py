"""Bad input never takes the kernel down: a message with a wrong signature is
ignored and logged, a malformed message or an unknown type is logged, a cell that
errors or is interrupted (by interrupt_request on control, or by SIGINT) keeps the
session's variables, and the heartbeat answers during a long computation."""
import hmac
import os
import queue
import signal
import subprocess
import threading
import time
import uuid

import pytest
import zmq
from jupyter_client import BlockingKernelClient
from jupyter_client.connect import write_connection_file

from conftest import CMLAB

LONG_DISTILL = "s = distill(exact(ring()), heun(karras(n: 40)), objective: \"direct\", iters: 10000000, seed: 0)"


class Kernel:
    """A kernel started by hand, so its standard error (its log) can be read."""

    def __init__(self, tmp_path):
        self.connection_file, self.info = write_connection_file(str(tmp_path / "kernel.json"),
                                                                key=uuid.uuid4().hex.encode())
        self.process = subprocess.Popen([str(CMLAB), "kernel", "-f", self.connection_file],
                                        cwd=os.environ["CMLAB_TEST_SCRATCH"], stderr=subprocess.PIPE, text=True)
        self.log = queue.Queue()
        threading.Thread(target=self._read_log, daemon=True).start()
        self.client = BlockingKernelClient(connection_file=self.connection_file)
        self.client.load_connection_file()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=30)

    def _read_log(self):
        for line in self.process.stderr:
            self.log.put(line.rstrip("\n"))

    def wait_for_log(self, fragment, timeout=5):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                line = self.log.get(timeout=max(0.01, deadline - time.time()))
            except queue.Empty:
                break
            if fragment in line:
                return line
        raise AssertionError(f"the kernel did not log {fragment!r}")

    def run(self, code, timeout=30):
        """Executes code; returns the reply's content and the request's iopub messages."""
        reply = self.client.execute_interactive(code, timeout=timeout, output_hook=self._collect)
        messages, self.collected = self.collected, []
        return reply["content"], messages

    collected = []

    def _collect(self, msg):
        self.collected.append(msg)

    def value(self, code):
        content, messages = self.run(code)
        assert content["status"] == "ok", content
        return [m["content"]["data"]["text/plain"] for m in messages if m["msg_type"] == "execute_result"][0]

    def socket(self, kind, port_name):
        s = zmq.Context.instance().socket(kind)
        s.linger = 0
        s.connect(f"tcp://{self.info['ip']}:{self.info[port_name]}")
        return s

    def close(self):
        self.client.shutdown()
        try:
            self.process.wait(timeout=10)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            self.client.stop_channels()


@pytest.fixture
def kernel(tmp_path):
    k = Kernel(tmp_path)
    yield k
    k.close()
    assert k.process.returncode == 0


def sign(kernel, frames, key=None):
    """The four JSON frames behind the delimiter and their HMAC-SHA256 signature (with
    the connection's key, or `key`)."""
    auth = hmac.new(key or kernel.client.session.key, digestmod="sha256")
    for f in frames:
        auth.update(f)
    return [b"<IDS|MSG>", auth.hexdigest().encode()] + frames


def request(kernel, msg_type, content):
    """The JSON frames of a request from the test's client session."""
    session = kernel.client.session
    msg = session.msg(msg_type, content)
    return [session.pack(msg[k]) for k in ("header", "parent_header", "metadata", "content")]


def interrupt(kernel):
    kernel.client.control_channel.send(kernel.client.session.msg("interrupt_request", {}))


def test_a_wrong_signature_is_ignored_and_logged(kernel):
    shell = kernel.socket(zmq.DEALER, "shell_port")
    shell.send_multipart(sign(kernel, request(kernel, "execute_request", {"code": "x = 666"}), key=b"not the key"))
    kernel.wait_for_log("shell: ignored a message: invalid signature")
    assert shell.poll(500) == 0  # no reply
    content, _ = kernel.run("x")
    assert content["status"] == "error"  # the forged cell never ran
    assert kernel.value("1 + 1") == "2"


def test_malformed_messages_and_unknown_types_do_not_stop_the_kernel(kernel):
    shell = kernel.socket(zmq.DEALER, "shell_port")
    shell.send_multipart([b"no delimiter here"])
    kernel.wait_for_log("no <IDS|MSG> delimiter")
    shell.send_multipart([b"<IDS|MSG>", b"", b"{}"])
    kernel.wait_for_log("2 frames after the delimiter, expected at least 5")  # the identity goes before the delimiter
    empty = kernel.client.session.pack({})
    shell.send_multipart(sign(kernel, [b"{not json", empty, empty, empty]))
    kernel.wait_for_log("the header frame is not a JSON object")
    shell.send_multipart(sign(kernel, [b"[1, 2]", empty, empty, empty]))
    kernel.wait_for_log("the header frame is not a JSON object")
    shell.send_multipart(sign(kernel, [empty, empty, empty, empty]))
    kernel.wait_for_log("the header has no msg_type")
    shell.send_multipart(sign(kernel, request(kernel, "frobnicate_request", {})))
    kernel.wait_for_log("shell: unknown message type 'frobnicate_request'")
    control = kernel.socket(zmq.DEALER, "control_port")
    control.send_multipart(sign(kernel, request(kernel, "frobnicate_request", {})))
    kernel.wait_for_log("control: unknown message type 'frobnicate_request'")
    assert kernel.value("2 * 21") == "42"


def start_long_cell(kernel, code=LONG_DISTILL):
    msg_id = kernel.client.execute(code)
    # Wait until it runs (its progress line arrives on stderr).
    deadline = time.time() + 30
    while time.time() < deadline:
        msg = kernel.client.get_iopub_msg(timeout=30)
        if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "stream":
            return msg_id
    raise AssertionError("the long cell never reported progress")


def finish(kernel, msg_id, timeout=30):
    reply = kernel.client.get_shell_msg(timeout=timeout)
    assert reply["parent_header"]["msg_id"] == msg_id
    return reply["content"]


def test_interrupt_request_stops_distill_and_keeps_its_weights(kernel):
    kernel.run("keep = 7")
    msg_id = start_long_cell(kernel)
    interrupt(kernel)
    started = time.time()
    reply = finish(kernel, msg_id)
    assert time.time() - started < 10
    assert reply["status"] == "ok"  # distill stops between iterations and returns its student
    assert kernel.client.get_control_msg(timeout=5)["msg_type"] == "interrupt_reply"
    assert kernel.value("keep") == "7"
    assert "Direct CM" in kernel.value("s")


def test_sigint_interrupts_a_running_loop(kernel):
    kernel.run("n = 0")
    msg_id = kernel.client.execute("while true { n = n + 1 }")
    time.sleep(1)
    os.kill(kernel.process.pid, signal.SIGINT)
    reply = finish(kernel, msg_id)
    assert reply["status"] == "error" and reply["ename"] == "Interrupted"
    assert int(kernel.value("n")) > 0  # the loop's progress survives
    assert kernel.value("n > 0") == "true"


def test_the_heartbeat_answers_during_a_long_computation(kernel):
    msg_id = start_long_cell(kernel)
    heartbeat = kernel.socket(zmq.REQ, "hb_port")
    for i in range(5):
        sent = time.time()
        heartbeat.send(b"ping %d" % i)
        assert heartbeat.poll(2000), "no heartbeat within 2 s"
        assert heartbeat.recv() == b"ping %d" % i
        assert time.time() - sent < 1
        time.sleep(0.2)
    interrupt(kernel)
    assert finish(kernel, msg_id)["status"] == "ok"


def test_a_kernel_whose_front_end_died_shuts_down(tmp_path):
    connection_file, _ = write_connection_file(str(tmp_path / "orphan.json"), key=b"k")
    # A stand-in front end: starts the kernel as Jupyter does (JPY_PARENT_PID set), then dies.
    parent = subprocess.Popen(
        ["python3", "-c", "import os, subprocess, sys, time\n"
         "env = dict(os.environ, JPY_PARENT_PID=str(os.getpid()))\n"
         "k = subprocess.Popen([sys.argv[1], 'kernel', '-f', sys.argv[2]], env=env, stderr=subprocess.DEVNULL)\n"
         "print(k.pid, flush=True)\n"
         "time.sleep(60)\n", str(CMLAB), connection_file],
        stdout=subprocess.PIPE, text=True)
    pid = int(parent.stdout.readline())
    time.sleep(0.5)
    parent.kill()
    parent.wait()

    def alive():
        try:
            with open(f"/proc/{pid}/status") as f:
                return "\nState:\tZ" not in f.read()
        except FileNotFoundError:
            return False

    deadline = time.time() + 5
    while alive() and time.time() < deadline:
        time.sleep(0.05)
    if alive():
        os.kill(pid, signal.SIGKILL)
        raise AssertionError("the kernel outlived its front end by 5 s")
