;;; pipe-mode.el --- Major mode for Pipe, the pipeline language of pipec  -*- lexical-binding: t; -*-

;; Keywords: languages
;; Package-Requires: ((emacs "25.1"))
;; URL: editors/emacs in the pipec repository

;;; Commentary:

;; A major mode for Pipe scripts (*.pipe), the typed text-stream pipeline
;; language compiled by pipec:
;;
;; - font-lock for keywords, the types str/int/float/bool, the standard
;;   sources, sinks, processors and functions, strings with their escapes,
;;   numbers and comments;
;; - indentation: `pipe-indent-offset' per open brace, parenthesis or
;;   bracket; a line starting with `|' continues the flow above it,
;;   `pipe-continuation-offset' columns right of the line where the flow
;;   starts; a line after one that ends with an operator (`|', `=', `=>',
;;   `+', `and', ...) is `pipe-indent-offset' right of the statement's first line;
;; - M-x compile recognises pipec's diagnostics
;;   (`file:line:col: error: ...', `warning:', and runtime errors);
;; - `auto-mode-alist' entry for .pipe files, imenu for procs and pipelines.
;;
;; Install: see editors/emacs/README.md.

;;; Code:

(require 'rx)

(defgroup pipe nil
  "Major mode for Pipe scripts (pipec)."
  :group 'languages
  :prefix "pipe-")

(defcustom pipe-indent-offset 4
  "Columns of indentation per open brace, parenthesis or bracket."
  :type 'integer
  :safe #'integerp)

(defcustom pipe-continuation-offset 2
  "Columns from a flow's first line to its lines that start with `|'."
  :type 'integer
  :safe #'integerp)

(defcustom pipe-pipec-program "pipec"
  "The pipec program, for `pipe-check'."
  :type 'string)

(defface pipe-number-face
  '((t :inherit font-lock-constant-face))
  "Face for number literals (and tuple field numbers) in Pipe.")

(defface pipe-escape-face
  '((t :inherit font-lock-regexp-grouping-backslash))
  "Face for escape sequences in Pipe strings.")

(defconst pipe-keywords
  '("pipeline" "proc" "record" "fn" "extern" "from" "import" "state" "on" "end" "let"
    "if" "then" "else" "for" "in" "while" "emit" "return" "and" "or" "not")
  "Pipe's keywords, but for the constants `true' and `false'.")

(defconst pipe-constants '("true" "false" "none"))

(defconst pipe-types '("str" "int" "float" "bool"))

(defconst pipe-bare-builtins
  '("stdin" "stdout" "stderr" "discard" "upper" "lower" "trim" "words" "uniq"
    "distinct" "sort" "count" "count_items" "sum" "min" "max" "avg" "enumerate"
    "to_int" "to_float" "to_csv" "to_tsv" "to_json")
  "Standard stages used without arguments: builtins wherever they appear.")

(defconst pipe-call-builtins
  '("file" "files" "range" "lines" "append" "file_by" "append_by" "grep" "grep_v" "grep_f" "replace"
    "find_all" "captures" "replace_first" "split_re" "quote_re" "now" "parse_time" "format_time" "env" "split" "field" "head" "tail" "skip" "top" "map" "filter"
    "flat_map" "format" "tee" "exec" "merge" "concat" "zip" "left_join" "len" "contains"
    "starts_with" "ends_with" "find" "substr" "matches" "join" "abs" "add"
    "remove" "keys" "str" "csv" "tsv" "json"
    "fmt" "round" "floor" "ceil" "sqrt" "pow" "len_chars" "upper_utf8" "lower_utf8" "get"
    "reverse")
  "Standard stages and functions that take arguments: builtins when called.
A name such as `lines' or `field' may also be one of the user's.")

(defconst pipe--ident "[A-Za-z_][A-Za-z0-9_]*")

(defvar pipe-mode-syntax-table
  (let ((st (make-syntax-table)))
    (modify-syntax-entry ?_ "_" st)
    (modify-syntax-entry ?# "<" st)
    (modify-syntax-entry ?\n ">" st)
    (modify-syntax-entry ?\" "\"" st)
    (modify-syntax-entry ?\\ "\\" st)
    (modify-syntax-entry ?' "." st)
    (dolist (c '(?+ ?- ?* ?/ ?% ?< ?> ?= ?| ?& ?! ?, ?: ?\; ?.))
      (modify-syntax-entry c "." st))
    (modify-syntax-entry ?\( "()" st)
    (modify-syntax-entry ?\) ")(" st)
    (modify-syntax-entry ?\[ "(]" st)
    (modify-syntax-entry ?\] ")[" st)
    (modify-syntax-entry ?\{ "(}" st)
    (modify-syntax-entry ?\} "){" st)
    st)
  "Syntax table of `pipe-mode'.")

;;; Strings end at the end of their line

(defun pipe--syntax-propertize (start end)
  "Make strings that are not closed end at the end of their line.
Pipe strings never span lines; without this, Emacs would carry an
unterminated string on.  Lines from START to END."
  (save-excursion
    (goto-char start)
    (beginning-of-line)
    (while (< (point) end)
      (let ((eol (line-end-position)))
        (while (re-search-forward "[\"#']" eol 'move)
          (pcase (char-before)
            (?# (goto-char eol))
            (?' (when (looking-at "[^'\n]*'") (goto-char (match-end 0))))
            (_ (let ((open (1- (point))))
                 (unless (re-search-forward "\\=\\(?:[^\"\\\n]\\|\\\\.\\)*\"" eol t)
                   (put-text-property open (1+ open) 'syntax-table (string-to-syntax "|"))
                   (when (< eol (point-max))
                     (put-text-property eol (1+ eol) 'syntax-table (string-to-syntax "|")))
                   (goto-char eol))))))
        (forward-line 1)))))

;;; Font lock

(defun pipe--match-in-string (regexp limit)
  "Search for REGEXP before LIMIT, inside a string only."
  (let (found)
    (while (and (not found) (re-search-forward regexp limit t))
      (when (nth 3 (save-excursion (syntax-ppss (match-beginning 0))))
        (setq found t)))
    found))

(defun pipe--match-escape (limit)
  "Find the next valid escape of a string before LIMIT."
  (pipe--match-in-string "\\\\\\(?:[nrt0\\\\\"]\\|x[0-9A-Fa-f]\\{2\\}\\)" limit))

(defun pipe--match-bad-escape (limit)
  "Find the next escape that pipec rejects, before LIMIT."
  (let (found)
    (while (and (not found) (pipe--match-in-string "\\\\\\(?:x[0-9A-Fa-f]\\{2\\}\\|[^x]\\|x\\)?" limit))
      (unless (string-match-p "\\`\\\\\\(?:[nrt0\\\\\"]\\|x[0-9A-Fa-f]\\{2\\}\\)\\'" (match-string 0))
        (setq found t)))
    found))

(defconst pipe-font-lock-keywords
  `(;; pipeline NAME, proc NAME, fn NAME
    (,(concat "\\_<\\(?:pipeline\\|proc\\|fn\\)\\_>[ \t]+\\(" pipe--ident "\\)")
     1 font-lock-function-name-face)
    (,(regexp-opt pipe-keywords 'symbols) . font-lock-keyword-face)
    (,(regexp-opt pipe-constants 'symbols) . font-lock-constant-face)
    ;; str(x) is the conversion function; str elsewhere the type
    (,(concat (regexp-opt pipe-call-builtins 'symbols) "[ \t]*(") 1 font-lock-builtin-face)
    (,(regexp-opt pipe-types 'symbols) . font-lock-type-face)
    (,(regexp-opt pipe-bare-builtins 'symbols) . font-lock-builtin-face)
    ;; numbers: 42, 0x1F, 3.5, 1e-3, and tuple fields t.0
    ("\\_<\\(?:0[xX][0-9A-Fa-f]+\\|[0-9]+\\(?:\\.[0-9]+\\)?\\(?:[eE][-+]?[0-9]+\\)?\\)\\_>"
     . 'pipe-number-face)
    ;; let NAME, state NAME, and parameters or named arguments NAME:
    (,(concat "\\_<\\(?:let\\|state\\)\\_>[ \t]+\\(" pipe--ident "\\)") 1 font-lock-variable-name-face)
    (,(concat "\\(" pipe--ident "\\)[ \t]*:") 1 font-lock-variable-name-face)
    ;; escapes inside strings
    (pipe--match-escape 0 'pipe-escape-face prepend)
    (pipe--match-bad-escape 0 font-lock-warning-face prepend)
    ;; what pipec rejects: && || ! (use and or not), 'single quotes', 12abc
    ("&&\\|||\\|!\\(?:[^=]\\|$\\)" . font-lock-warning-face)
    ("'[^'\n]*'" . font-lock-warning-face)
    ("\\_<[0-9][A-Za-z0-9_]*\\_>" . font-lock-warning-face))
  "Font-lock keywords of `pipe-mode'.")

;;; Indentation

(defun pipe--opener (pos)
  "The position of the innermost bracket open at POS, or nil."
  (nth 1 (save-excursion (syntax-ppss pos))))

(defun pipe--code-line-p ()
  "Whether the current line holds code (not blank, not only a comment)."
  (save-excursion
    (beginning-of-line)
    (skip-chars-forward " \t")
    (not (or (eolp) (eq (char-after) ?#)))))

(defun pipe--prev-code-line (stop)
  "Beginning of the previous code line, after the line of STOP.
STOP nil means the buffer's start.  Returns nil if there is none."
  (save-excursion
    (let ((limit (if stop (save-excursion (goto-char stop) (line-beginning-position)) nil))
          found)
      (while (and (not found)
                  (= 0 (forward-line -1))
                  (or (null limit) (> (point) limit)))
        (when (pipe--code-line-p) (setq found (point))))
      found)))

(defun pipe--anchor (bol ctx)
  "The line where the part that ends the line at BOL begins, at the level of CTX.
When that line closes brackets opened above, the line that opened them."
  (save-excursion
    (goto-char bol)
    (let (done)
      (while (not done)
        (let ((o (pipe--opener (line-beginning-position))))
          (if (or (null o) (eq o ctx) (and ctx (< o ctx)))
              (setq done t)
            (goto-char o)
            (beginning-of-line))))
      (point))))

(defun pipe--starts-flow-p (bol)
  "Whether the line at BOL starts with `|' (a flow's continuation)."
  (save-excursion (goto-char bol) (looking-at "[ \t]*|\\(?:[^|]\\|$\\)")))

(defun pipe--ends-with-operator-p (bol)
  "Whether the code of the line at BOL ends with an operator."
  (save-excursion
    (goto-char bol)
    (end-of-line)
    (let ((state (syntax-ppss)))
      (when (nth 4 state) (goto-char (nth 8 state))))
    (skip-chars-backward " \t")
    (and (> (point) bol)
         (not (nth 3 (save-excursion (syntax-ppss (1- (point))))))
         (looking-back "\\(?:[-+*/%<>=:|]\\|\\_<\\(?:and\\|or\\|not\\)\\)" bol))))

(defun pipe--statement-start (bol ctx)
  "The first line of the statement that the line at BOL ends, at the level of CTX."
  (let ((s (pipe--anchor bol ctx)) q done)
    (while (not done)
      (setq q (save-excursion (goto-char s) (pipe--prev-code-line ctx)))
      (if (and q (or (pipe--starts-flow-p s) (pipe--ends-with-operator-p q)))
          (setq s (pipe--anchor q ctx))
        (setq done t)))
    s))

(defun pipe--indentation-at (bol)
  "The indentation of the line at BOL."
  (save-excursion (goto-char bol) (current-indentation)))

(defun pipe-calculate-indentation ()
  "The column the current line should be indented to."
  (save-excursion
    (beginning-of-line)
    (let* ((bol (point))
           (ctx (pipe--opener bol))
           (head (if ctx
                     (pipe--indentation-at
                      (pipe--anchor (save-excursion (goto-char ctx) (line-beginning-position))
                                    (pipe--opener ctx)))
                   0))
           (base (if ctx (+ head pipe-indent-offset) 0))
           (p (pipe--prev-code-line ctx)))
      (cond
       ((looking-at "[ \t]*[])}]") head)
       ((null p) base)
       ((pipe--starts-flow-p bol)
        (+ (pipe--indentation-at (pipe--statement-start p ctx)) pipe-continuation-offset))
       ((pipe--ends-with-operator-p p)
        (+ (pipe--indentation-at (pipe--statement-start p ctx)) pipe-indent-offset))
       (t base)))))

(defun pipe-indent-line ()
  "Indent the current line as Pipe code."
  (interactive)
  (let ((col (max 0 (pipe-calculate-indentation)))
        (offset (- (current-column) (current-indentation))))
    (indent-line-to col)
    (when (> offset 0) (move-to-column (+ col offset)))))

;;; Compilation: pipec's diagnostics

(defconst pipe-compilation-regexp
  '("^\\([^:\n]+\\):\\([0-9]+\\):\\([0-9]+\\): \\(?:\\(warning\\):\\|error:\\|runtime error \\)"
    1 2 3 (4))
  "An entry of `compilation-error-regexp-alist-alist' for pipec.
Matches `file:line:col: error: ...', `file:line:col: warning: ...'
(a warning) and `file:line:col: runtime error in stage ...'.")

(defvar compilation-error-regexp-alist)
(defvar compilation-error-regexp-alist-alist)

(defun pipe--setup-compilation ()
  "Teach `compilation-mode' pipec's diagnostics."
  (setf (alist-get 'pipec compilation-error-regexp-alist-alist) pipe-compilation-regexp)
  (add-to-list 'compilation-error-regexp-alist 'pipec))

(with-eval-after-load 'compile (pipe--setup-compilation))

(defun pipe-check ()
  "Type-check the current file with `pipec check', in a compilation buffer."
  (interactive)
  (save-buffer)
  (compile (concat pipe-pipec-program " check " (shell-quote-argument (buffer-file-name)))))

;;; The mode

(defvar pipe-mode-map
  (let ((map (make-sparse-keymap)))
    (define-key map (kbd "C-c C-c") #'pipe-check)
    map)
  "Keymap of `pipe-mode'.")

;;;###autoload
(define-derived-mode pipe-mode prog-mode "Pipe"
  "Major mode for Pipe scripts, the pipeline language of pipec.

\\{pipe-mode-map}"
  :syntax-table pipe-mode-syntax-table
  (setq-local comment-start "# ")
  (setq-local comment-start-skip "#+[ \t]*")
  (setq-local comment-end "")
  (setq-local syntax-propertize-function #'pipe--syntax-propertize)
  (setq-local font-lock-defaults '(pipe-font-lock-keywords nil nil nil nil))
  (setq-local indent-line-function #'pipe-indent-line)
  (setq-local indent-tabs-mode nil)
  (setq-local electric-indent-chars (append "{}()[]|" electric-indent-chars))
  (setq-local imenu-generic-expression
              `((nil ,(concat "^[ \t]*\\(?:extern[ \t]+\\)?\\(?:proc\\|pipeline\\)[ \t]+\\("
                              pipe--ident "\\)")
                     1)))
  (setq-local compile-command
              (concat pipe-pipec-program " check "
                      (if buffer-file-name (shell-quote-argument (file-name-nondirectory buffer-file-name)) ""))))

;;;###autoload
(add-to-list 'auto-mode-alist '("\\.pipe\\'" . pipe-mode))

(provide 'pipe-mode)

;;; pipe-mode.el ends here
