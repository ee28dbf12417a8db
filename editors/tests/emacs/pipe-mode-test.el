;;; pipe-mode-test.el --- ERT tests of editors/emacs/pipe-mode.el  -*- lexical-binding: t; -*-

;; Run by editors/tests/emacs/run.sh:
;;   emacs --batch -l editors/emacs/pipe-mode.el -l editors/tests/emacs/pipe-mode-test.el \
;;         -f ert-run-tests-batch-and-exit

(require 'ert)
(require 'compile)
(require 'pipe-mode)

(defconst pipe-test-root
  (expand-file-name "../../.." (file-name-directory (or load-file-name buffer-file-name))))

(defun pipe-test-file (rel)
  (expand-file-name rel pipe-test-root))

(defmacro pipe-test-with-file (rel &rest body)
  "Visit REL (relative to the repository) in a temporary buffer in pipe-mode, fontified."
  (declare (indent 1))
  `(with-temp-buffer
     (insert-file-contents (pipe-test-file ,rel))
     (pipe-mode)
     (font-lock-ensure)
     ,@body))

(defun pipe-test-face-at (line text &optional n)
  "The faces (a list) at the first character of the N-th whole occurrence of TEXT on LINE."
  (save-excursion
    (goto-char (point-min))
    (forward-line (1- line))
    (let ((re (if (string-match-p "\\`[A-Za-z0-9_]+\\'" text)
                  (concat "\\_<" (regexp-quote text) "\\_>")
                (regexp-quote text))))
      (dotimes (_ (or n 1))
        (unless (re-search-forward re (line-end-position) t)
          (error "%S not found on line %d" text line)))
      (let ((f (get-text-property (match-beginning 0) 'face)))
        (if (listp f) f (list f))))))

(defmacro pipe-test-faces (&rest cases)
  "Each case (LINE TEXT FACE [N]): FACE is among the faces at TEXT (FACE nil: no face)."
  `(dolist (c ',cases)
     (pcase-let ((`(,line ,text ,face ,n) c))
       (let ((faces (delq nil (pipe-test-face-at line text n))))
         (should (equal (list line text (if face (and (memq face faces) face) faces))
                        (list line text face)))))))

(ert-deftest pipe-mode-auto-mode ()
  (should (eq (assoc-default "x/top_words.pipe" auto-mode-alist #'string-match) 'pipe-mode))
  (with-current-buffer (find-file-noselect (pipe-test-file "examples/top_words.pipe"))
    (unwind-protect (should (eq major-mode 'pipe-mode))
      (kill-buffer))))

(ert-deftest pipe-mode-font-lock-sample ()
  (pipe-test-with-file "editors/tests/sample.pipe"
    (pipe-test-faces
     (1 "#" font-lock-comment-delimiter-face)
     (1 "every" font-lock-comment-face)
     (2 "import" font-lock-keyword-face)
     (2 "\"../" font-lock-string-face)
     (4 "proc" font-lock-keyword-face)
     (4 "shout" font-lock-function-name-face)
     (4 "mark" font-lock-variable-name-face)
     (4 "str" font-lock-type-face)
     (4 "map" font-lock-builtin-face)
     (4 "upper" font-lock-builtin-face)
     (4 "s" nil)
     (6 "int" font-lock-type-face)
     (7 "state" font-lock-keyword-face)
     (7 "seen" font-lock-variable-name-face)
     (8 "0" pipe-number-face)
     (9 "on" font-lock-keyword-face)
     (10 "let" font-lock-keyword-face)
     (10 "len" font-lock-builtin-face)
     (10 "line" nil)
     (10 "2" pipe-number-face)
     (10 "0x1F" pipe-number-face)
     (10 "7" pipe-number-face)
     (11 "3.5" pipe-number-face)
     (11 "1e" pipe-number-face)
     (11 "-3" pipe-number-face)
     (12 "if" font-lock-keyword-face)
     (12 "not" font-lock-keyword-face)
     (12 "in" font-lock-keyword-face)
     (12 "and" font-lock-keyword-face)
     (12 "false" font-lock-constant-face)
     (14 "else" font-lock-keyword-face)
     (17 "while" font-lock-keyword-face)
     (18 "emit" font-lock-keyword-face)
     (20 "end" font-lock-keyword-face)
     (21 "for" font-lock-keyword-face)
     (21 "\"\\t" font-lock-string-face)
     (21 "\\t" pipe-escape-face)
     (21 "\\t" font-lock-string-face)
     (21 "\\\"" pipe-escape-face)
     (21 "q" font-lock-string-face)
     (21 "\\x41" pipe-escape-face)
     (21 "\\\\" pipe-escape-face)
     (25 "extern" font-lock-keyword-face)
     (25 "rot13" font-lock-function-name-face)
     (25 "from" font-lock-keyword-face)
     (27 "pipeline" font-lock-keyword-face)
     (27 "main" font-lock-function-name-face)
     (27 "\"ERROR\"" font-lock-string-face)
     (27 "bool" font-lock-type-face)
     (27 "true" font-lock-constant-face)
     (27 "float" font-lock-type-face)
     (27 "1.5" pipe-number-face)
     (28 "lines" nil)
     (28 "stdin" font-lock-builtin-face)
     (28 "grep" font-lock-builtin-face)
     (31 "by" font-lock-variable-name-face)
     (31 "1" pipe-number-face)
     (32 "str" font-lock-builtin-face)
     (34 "count_items" font-lock-builtin-face)
     (34 "stderr" font-lock-builtin-face)
     (37 "fn" font-lock-keyword-face)
     (37 "clip" font-lock-function-name-face)
     (40 "\"a\"" font-lock-string-face)
     (44 "return" font-lock-keyword-face)
     (53 "join" font-lock-builtin-face))))

(ert-deftest pipe-mode-font-lock-examples ()
  (pipe-test-with-file "examples/top_words.pipe"
    (pipe-test-faces
     (1 "top_words" font-lock-comment-face)
     (2 "pipeline" font-lock-keyword-face)
     (2 "10" pipe-number-face)
     (5 "words" font-lock-builtin-face)
     (5 "str" font-lock-comment-face)
     (8 "\"\\t\"" font-lock-string-face)))
  (pipe-test-with-file "examples/import.pipe"
    ;; "\\[[a-z]+\\] *": escaped backslashes, and brackets inside a string
    (pipe-test-faces
     (8 "\\\\" pipe-escape-face)
     (8 "[a-z]" font-lock-string-face)
     (8 "\"\"" font-lock-string-face)))
  (pipe-test-with-file "examples/triage.pipe"
    (pipe-test-faces
     (4 "lines" nil)
     (4 "file" font-lock-builtin-face)
     (7 "merge" font-lock-builtin-face))))

(ert-deftest pipe-mode-font-lock-errors ()
  (with-temp-buffer
    (insert "x | to_int | y.0.1 | z + \"bad \\q and \\\\q\" | a && b | 12abc\n"
            "s = \"open\n"
            "pipeline p { 'single' }\n")
    (pipe-mode)
    (font-lock-ensure)
    (pipe-test-faces
     (1 "to_int" font-lock-builtin-face)
     (1 "\\q" font-lock-warning-face)
     (1 "\\\\" pipe-escape-face)
     (1 "&&" font-lock-warning-face)
     (1 "12abc" font-lock-warning-face)
     (2 "open" font-lock-string-face)
     ;; an unterminated string ends at the end of its line
     (3 "pipeline" font-lock-keyword-face)
     (3 "'single'" font-lock-warning-face))))

(defun pipe-test-reindent (rel)
  "Flatten REL, indent it with `indent-region', return (WANT GOT) line lists."
  (with-temp-buffer
    (insert-file-contents (pipe-test-file rel))
    (let ((want (split-string (buffer-string) "\n")))
      (pipe-mode)
      (goto-char (point-min))
      (while (re-search-forward "^[ \t]+" nil t) (replace-match ""))
      (indent-region (point-min) (point-max))
      (list want (split-string (buffer-string) "\n")))))

(ert-deftest pipe-mode-indentation ()
  (dolist (rel (append '("editors/tests/indent.pipe" "editors/tests/sample.pipe" "examples/top_words.pipe"
                         "examples/histogram.pipe" "examples/params.pipe" "examples/dedupe.pipe"
                         "tests/golden/spec4.pipe")
                       ;; and the examples as `pipec fmt' lays them out, when run.sh could make them
                       (let ((dir (getenv "PIPE_FMT_DIR")))
                         (and dir (> (length dir) 0) (directory-files dir t "\\.pipe\\'")))))
    (pcase-let ((`(,want ,got) (pipe-test-reindent rel)))
      (let ((i 0) bad)
        (while (< i (length want))
          (unless (equal (nth i want) (nth i got))
            (push (format "%s:%d: got %S, expected %S" rel (1+ i) (nth i got) (nth i want)) bad))
          (setq i (1+ i)))
        (should (equal (list rel (nreverse bad)) (list rel nil)))))))

(ert-deftest pipe-mode-indent-while-typing ()
  (with-temp-buffer
    (pipe-mode)
    (insert "pipeline main {\nstdin")
    (indent-according-to-mode)
    (insert "\n| stdout")
    (indent-according-to-mode)
    (insert "\n}")
    (indent-according-to-mode)
    (should (equal (buffer-string) "pipeline main {\n    stdin\n      | stdout\n}"))))

(defun pipe-test-compile-parse (text)
  "The (FILE LINE COL TYPE) of each diagnostic that compilation-mode finds in TEXT."
  (with-temp-buffer
    (insert text)
    (let ((default-directory pipe-test-root))
      (compilation-mode)
      ;; pipec's entry only: gcc's `gnu' entry would also match some lines
      (setq-local compilation-error-regexp-alist '(pipec))
      (compilation--ensure-parse (point-max))
      (let (out)
        (goto-char (point-min))
        (while (let ((m (if (and (bobp) (get-text-property (point) 'compilation-message))
                            (point)
                          (next-single-property-change (point) 'compilation-message))))
                 (when m (goto-char m)))
          (let ((msg (get-text-property (point) 'compilation-message)))
            (when msg
              (let* ((loc (compilation--message->loc msg))
                     (file (caar (compilation--loc->file-struct loc))))
                (push (list file (compilation--loc->line loc) (compilation--loc->col loc)
                            (compilation--message->type msg))
                      out))
              ;; skip to the end of this message's text
              (goto-char (or (next-single-property-change (point) 'compilation-message) (point-max))))))
        (nreverse out)))))

(ert-deftest pipe-mode-compilation-regexp ()
  (should (memq 'pipec compilation-error-regexp-alist))
  (should (assq 'pipec compilation-error-regexp-alist-alist))
  (let ((re (car (alist-get 'pipec compilation-error-regexp-alist-alist))))
    (should (string-match re "tests/errors/type_mismatch.pipe:11:13: error: type mismatch: 'total' takes int"))
    (should (equal (match-string 1 "tests/errors/type_mismatch.pipe:11:13: error: type mismatch")
                   "tests/errors/type_mismatch.pipe"))
    (should (string-match re "x.pipe:8:5: warning: stream 'unused' is bound but never used"))
    (should (equal (match-string 4 "x.pipe:8:5: warning: stream 'unused' is bound but never used") "warning"))
    (should (string-match re "div_zero.pipe:4:22: runtime error in stage map: division by zero (input stdin, line 3)"))
    (should-not (string-match re "   11 |     stdin | total | stdout"))
    (should-not (string-match re "pipec run x.pipe: error: unknown option '--bogus'")))
  ;; and compilation-mode itself finds them, with line, column and severity
  (let* ((err (with-temp-buffer
                (insert-file-contents (pipe-test-file "tests/errors/type_mismatch.err"))
                (buffer-string)))
         (found (pipe-test-compile-parse
                 (concat err "x.pipe:8:5: warning: stream 'unused' is bound but never used\n"
                         "div_zero.pipe:4:22: runtime error in stage map: division by zero (input stdin, line 3)\n"))))
    (should (equal (length found) 3))
    (should (member '("div_zero.pipe" 4 22 2) found))
    (should (member '("tests/errors/type_mismatch.pipe" 11 13 2) found))
    (should (member '("x.pipe" 8 5 1) found))))

;;; pipe-mode-test.el ends here
