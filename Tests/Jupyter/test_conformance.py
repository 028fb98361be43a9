"""The Jupyter community's conformance suite (jupyter_kernel_test) against the
CMLab kernel: kernel info, execution with output on stdout and stderr, results,
errors, completion, inspection, is_complete, the pager, history and display data."""
import os
import unittest

import jupyter_kernel_test
from jupyter_client.manager import start_new_kernel


class CMLabKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "cmlab"
    language_name = "cmlab"
    file_extension = ".cml"

    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start_new_kernel(kernel_name=cls.kernel_name, cwd=os.environ["CMLAB_TEST_SCRATCH"])

    code_hello_world = 'print("hello, world")'
    # Progress of long work goes to stderr; a tiny solve reports at least its end.
    code_stderr = "solve(exact(ring()), euler(karras(n: 4)), noise(3, seed: 1) * 80)"

    completion_samples = [
        {"text": "disti", "matches": {"distill"}},
        {"text": "karras(n: 10, sigma_m", "matches": {"sigma_min: ", "sigma_max: "}},
    ]
    complete_code_samples = ["x = 1", "for i in range(3) {\n    print(i)\n}", "f(1,\n  2)", 's = "(["']
    incomplete_code_samples = ["for i in range(3) {", "distill(teacher,", "[1, 2,\n 3"]
    invalid_code_samples = ["x = )", "x = 1 +", "print(1))"]

    code_page_something = "?distill"
    code_generate_error = "nope + 1"
    code_execute_result = [
        {"code": "1 + 2", "result": "3"},
        {"code": 'len("consistency")', "result": "11"},
        {"code": "karras(n: 3).sigma_max", "result": "80"},
    ]
    code_display_data = [
        {"code": "scatter(samples(ring(), 200, seed: 1))", "mime": "image/png"},
        {"code": 'plot(ring(), file: "ring.svg")', "mime": "image/png"},
    ]
    code_history_pattern = "1 + *"
    supported_history_operations = ("tail", "range", "search")
    code_inspect_sample = "distill"

    def test_error_names_line_column_and_caret(self):
        self.flush_channels()
        reply, outputs = self.execute_helper("a = 1\nb = a + huen")
        self.assertEqual(reply["content"]["status"], "error")
        error = outputs[0]["content"]
        self.assertEqual(error["evalue"], "2:9: unknown name 'huen'; did you mean 'heun'?")
        self.assertEqual(error["traceback"][1:], ["b = a + huen", "        ^^^^"])
        reply, outputs = self.execute_helper("a")  # the cell before the error kept its variable
        self.assertEqual(outputs[0]["content"]["data"]["text/plain"], "1")

    def test_execution_counts_match_out(self):
        self.flush_channels()
        reply, _ = self.execute_helper("40 + 2")
        n = reply["content"]["execution_count"]
        reply, outputs = self.execute_helper(f"Out[{n}] + 1")
        self.assertEqual(reply["content"]["execution_count"], n + 1)
        self.assertEqual(outputs[0]["content"]["execution_count"], n + 1)
        self.assertEqual(outputs[0]["content"]["data"]["text/plain"], "43")

    def test_completes_members_of_a_variable(self):
        self.flush_channels()
        self.execute_helper("g = karras(n: 4)")
        self.kc.complete("print(g.sigma_m")
        reply = self.get_non_kernel_info_reply(timeout=10)["content"]
        self.assertEqual(set(reply["matches"]), {"g.sigma_max", "g.sigma_min"})
        self.assertEqual((reply["cursor_start"], reply["cursor_end"]), (6, 15))

    def test_inspect_gives_the_help_text(self):
        self.flush_channels()
        self.kc.inspect("x = karras(n: 5)", cursor_pos=6)
        reply = self.get_non_kernel_info_reply(timeout=10)["content"]
        self.assertTrue(reply["found"])
        self.assertTrue(reply["data"]["text/plain"].startswith("karras(n: 40, sigma_min: 0.002"))
        self.kc.inspect("nothing_here")
        self.assertFalse(self.get_non_kernel_info_reply(timeout=10)["content"]["found"])


if __name__ == "__main__":
    unittest.main()
