#!/usr/bin/python3
"""Protocol tests of the lesson's GoNB kernel with jupyter_kernel_test.

Run with Debian's python3 (package python3-jupyter-kernel-test) after kernels/install.sh:

    /usr/bin/python3 kernels/test_kernel.py -v

LESSON_KERNEL picks the kernel spec (default gonb-lesson-go). notebooks/notebook_test.go runs it.
"""
import os
import unittest

import jupyter_kernel_test


class LessonKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = os.environ.get("LESSON_KERNEL", "gonb-lesson-go")
    language_name = "go"
    file_extension = ".go"

    code_hello_world = '%%\nfmt.Println("hello, world")'
    code_stderr = '%%\nfmt.Fprintln(os.Stderr, "to stderr")'
    code_generate_error = '%%\nvar x int = "not a number"\n_ = x'
    code_execute_result = []  # GoNB cells print; they have no Out[] value

    def test_error(self):
        """A compile error gives an error reply and an error message.

        GoNB also shows the error in context as HTML, so there are two outputs where
        jupyter_kernel_test's own test_error expects one.
        """
        self.flush_channels()
        reply, output_msgs = self.execute_helper(self.code_generate_error)
        self.assertEqual(reply["content"]["status"], "error")
        errors = [m for m in output_msgs if m["msg_type"] == "error"]
        self.assertEqual(len(errors), 1, [m["msg_type"] for m in output_msgs])
        self.assertIn("cannot use", "".join(errors[0]["content"]["traceback"]) + str(output_msgs))

    def test_lesson_imports(self):
        """A cell imports the project's lesson package offline, with the pinned modules."""
        self.flush_channels()
        reply, output_msgs = self.execute_helper(
            code='import "github.com/gonb-lessons/convolutions/lesson"\n\n%%\n'
                 'b, _, _ := lesson.NewBackend("go")\n'
                 'm, _ := lesson.NewModel(b, lesson.CNN, lesson.Settings{})\n'
                 'fmt.Println(m.Summary().Total, os.Getenv("GOMLX_BACKEND"))',
            timeout=600)
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        text = "".join(m["content"].get("text", "") for m in output_msgs if m["msg_type"] == "stream")
        self.assertIn("243786", text)


if __name__ == "__main__":
    unittest.main()
