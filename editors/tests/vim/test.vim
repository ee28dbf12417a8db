" Headless checks of editors/vim: run by editors/tests/vim/run.sh as
"   vim -Nu NONE -i NONE -Es -S editors/tests/vim/test.vim
" with $PIPE_ROOT the repository.  Writes one line per failure and a summary
" `vim: N passed, M failed` to $PIPE_VIM_OUT.
let s:root = $PIPE_ROOT
let s:out = []
let s:passed = 0
let s:failed = 0

function! s:Check(ok, what) abort
  if a:ok
    let s:passed += 1
  else
    let s:failed += 1
    call add(s:out, 'FAIL ' . a:what)
  endif
endfunction

" the group at the first character of the n-th occurrence of text on line lnum
function! s:GroupAt(lnum, text, n) abort
  " a word only where it is a whole word
  let pat = '\V' . escape(a:text, '\')
  if a:text =~ '^\w\+$'
    let pat = '\V\<' . a:text . '\>'
  endif
  let col = -1
  for i in range(a:n)
    let col = match(getline(a:lnum), pat, col + 1)
  endfor
  if col < 0
    return ['?', '?']
  endif
  let id = synID(a:lnum, col + 1, 1)
  let name = synIDattr(id, 'name')
  " the standard group that the pipe group is linked to
  let link = name ==# '' ? '' : get(get(hlget(name), 0, {}), 'linksto', name)
  return [name, link]
endfunction

function! s:Main() abort
  execute 'set runtimepath^=' . fnameescape(s:root . '/editors/vim')
  filetype plugin indent on
  syntax on

  " --- ftdetect ---
  execute 'edit ' . fnameescape(s:root . '/editors/tests/sample.pipe')
  call s:Check(&filetype ==# 'pipe', 'sample.pipe: filetype is "' . &filetype . '", expected "pipe"')
  call s:Check(exists('b:current_syntax') && b:current_syntax ==# 'pipe', 'syntax/pipe.vim was not loaded')

  " --- syntax: [line, text, occurrence, group (after links), pipe group or ''] ---
  let cases = [
        \ [1, '#', 1, 'Comment', 'pipeComment'],
        \ [1, 'every', 1, 'Comment', 'pipeComment'],
        \ [2, 'import', 1, 'Include', 'pipeInclude'],
        \ [2, '"../', 1, 'String', 'pipeString'],
        \ [4, 'proc', 1, 'Keyword', 'pipeDeclaration'],
        \ [4, 'shout', 1, 'Function', 'pipeFuncName'],
        \ [4, 'str', 1, 'Type', 'pipeType'],
        \ [4, '->', 1, 'Operator', 'pipeOperator'],
        \ [4, 'map', 1, 'Function', 'pipeBuiltin'],
        \ [4, '=>', 1, 'Operator', 'pipeOperator'],
        \ [4, 'upper', 1, 'Function', 'pipeBuiltin'],
        \ [6, 'int', 1, 'Type', 'pipeType'],
        \ [7, 'state', 1, 'Statement', 'pipeStatement'],
        \ [8, '0', 1, 'Number', 'pipeNumber'],
        \ [9, 'on', 1, 'Keyword', 'pipeHandler'],
        \ [10, 'let', 1, 'Statement', 'pipeStatement'],
        \ [10, 'len', 1, 'Function', 'pipeBuiltin'],
        \ [10, '2', 1, 'Number', 'pipeNumber'],
        \ [10, '0x1F', 1, 'Number', 'pipeNumber'],
        \ [10, '7', 1, 'Number', 'pipeNumber'],
        \ [11, '3.5', 1, 'Float', 'pipeFloat'],
        \ [11, '1e-3', 1, 'Float', 'pipeFloat'],
        \ [11, '-3', 1, 'Float', 'pipeFloat'],
        \ [12, 'if', 1, 'Conditional', 'pipeConditional'],
        \ [12, 'not', 1, 'Operator', 'pipeLogical'],
        \ [12, 'in', 1, 'Repeat', 'pipeRepeat'],
        \ [12, 'false', 1, 'Boolean', 'pipeBoolean'],
        \ [14, 'else', 1, 'Conditional', 'pipeConditional'],
        \ [17, 'while', 1, 'Repeat', 'pipeRepeat'],
        \ [18, 'emit', 1, 'Statement', 'pipeStatement'],
        \ [20, 'end', 1, 'Keyword', 'pipeHandler'],
        \ [21, 'for', 1, 'Repeat', 'pipeRepeat'],
        \ [21, '"\t', 1, 'String', 'pipeString'],
        \ [21, '\t', 1, 'SpecialChar', 'pipeEscape'],
        \ [21, '\"', 1, 'SpecialChar', 'pipeEscape'],
        \ [21, 'q', 1, 'String', 'pipeString'],
        \ [21, '\x41', 1, 'SpecialChar', 'pipeEscape'],
        \ [21, '\\', 1, 'SpecialChar', 'pipeEscape'],
        \ [25, 'extern', 1, 'Include', 'pipeInclude'],
        \ [25, 'from', 1, 'Include', 'pipeInclude'],
        \ [27, 'pipeline', 1, 'Keyword', 'pipeDeclaration'],
        \ [27, 'main', 1, 'Function', 'pipeFuncName'],
        \ [27, '"ERROR"', 1, 'String', 'pipeString'],
        \ [27, 'bool', 1, 'Type', 'pipeType'],
        \ [27, 'true', 1, 'Boolean', 'pipeBoolean'],
        \ [27, 'float', 1, 'Type', 'pipeType'],
        \ [27, '1.5', 1, 'Float', 'pipeFloat'],
        \ [28, 'lines', 1, '', ''],
        \ [28, 'stdin', 1, 'Function', 'pipeBuiltin'],
        \ [28, '|', 1, 'Operator', 'pipeOperator'],
        \ [28, 'grep', 1, 'Function', 'pipeBuiltin'],
        \ [28, 'pattern', 1, '', ''],
        \ [31, 'p.1', 1, '', ''],
        \ [31, '1', 1, 'Number', 'pipeField'],
        \ [32, 'str', 1, 'Function', 'pipeBuiltin'],
        \ [34, 'count_items', 1, 'Function', 'pipeBuiltin'],
        \ [34, 'stderr', 1, 'Function', 'pipeBuiltin'],
        \ [37, 'fn', 1, 'Keyword', 'pipeDeclaration'],
        \ [37, 'clip', 1, 'Function', 'pipeFuncName'],
        \ [40, '"a"', 1, 'String', 'pipeString'],
        \ [44, 'return', 1, 'Statement', 'pipeStatement'],
        \ [53, 'join', 1, 'Function', 'pipeBuiltin'],
        \ ]
  for [lnum, text, n, want, wantname] in cases
    let [name, trans] = s:GroupAt(lnum, text, n)
    call s:Check(trans ==# want && (wantname ==# '' || name ==# wantname),
          \ printf('sample.pipe:%d "%s": group %s (%s), expected %s (%s)', lnum, text, name, trans, want, wantname))
  endfor
  " 'to_int' is one builtin, not the type int
  call setline(1, 'x | to_int | y.0.1 | z + "bad \q" | a && b | 12abc # TODO later')
  let name = synIDattr(synID(1, stridx(getline(1), '_int') + 2, 1), 'name')
  call s:Check(name ==# 'pipeBuiltin', 'int inside to_int: ' . name)
  let [name, trans] = s:GroupAt(1, '0.1', 1)
  call s:Check(name ==# 'pipeField', 't.0.1 is two fields, not a float: ' . name)
  let [name, trans] = s:GroupAt(1, '\q', 1)
  call s:Check(name ==# 'pipeBadEscape', 'an unknown escape is an error: ' . name)
  let [name, trans] = s:GroupAt(1, '&&', 1)
  call s:Check(trans ==# 'Error', '&& is an error: ' . name)
  let [name, trans] = s:GroupAt(1, '12abc', 1)
  call s:Check(trans ==# 'Error', '12abc is an error: ' . name)
  let [name, trans] = s:GroupAt(1, 'TODO', 1)
  call s:Check(trans ==# 'Todo', 'TODO in a comment: ' . name)
  " an unterminated string ends at the end of its line
  call setline(1, 's = "open')
  call setline(2, 'pipeline p {')
  let [name, trans] = s:GroupAt(2, 'pipeline', 1)
  call s:Check(name ==# 'pipeDeclaration', 'an unterminated string runs into the next line: ' . name)
  bwipeout!

  " --- indent: flatten indent.pipe, =G, compare with the file ---
  let files = map(['editors/tests/indent.pipe', 'examples/top_words.pipe', 'examples/histogram.pipe',
        \ 'examples/params.pipe', 'examples/dedupe.pipe', 'tests/golden/spec4.pipe', 'editors/tests/sample.pipe'],
        \ 's:root . "/" . v:val')
  " and the examples as `pipec fmt` lays them out, when run.sh could make them
  if $PIPE_FMT_DIR !=# ''
    let files += glob($PIPE_FMT_DIR . '/*.pipe', 0, 1)
  endif
  for file in files
    execute 'edit ' . fnameescape(file)
    setlocal shiftwidth=4 expandtab
    let want = getline(1, '$')
    silent %s/^\s\+//e
    silent normal! gg=G
    let got = getline(1, '$')
    let bad = []
    for i in range(len(want))
      if got[i] !=# want[i]
        call add(bad, printf('%s:%d: got "%s", expected "%s"', file, i + 1, got[i], want[i]))
      endif
    endfor
    call s:Check(empty(bad), 'indent of ' . file . ' after flattening and =G:')
    call extend(s:out, map(bad, '"     " . v:val'))
    bwipeout!
  endfor

  " :make: pipec's diagnostics fit Vim's default 'errorformat'
  set errorformat&
  let err = readfile(s:root . '/tests/errors/type_mismatch.err') + ['x.pipe:8:5: warning: stream ''unused'' is bound but never used']
  cgetexpr err
  let valid = filter(getqflist(), 'v:val.valid')
  call s:Check(len(valid) == 2, 'quickfix: ' . len(valid) . ' valid entries from pipec diagnostics, expected 2')
  if len(valid) == 2
    call s:Check(bufname(valid[0].bufnr) ==# 'tests/errors/type_mismatch.pipe' && valid[0].lnum == 11 && valid[0].col == 13,
          \ 'quickfix entry: ' . string(valid[0]))
    call s:Check(valid[1].lnum == 8 && valid[1].col == 5 && valid[1].text =~# 'warning: stream', 'quickfix entry: ' . string(valid[1]))
  endif

  " typing: a '|' at the start of a line is re-indented (indentkeys)
  enew
  setlocal filetype=pipe shiftwidth=4 expandtab
  call setline(1, ['pipeline main {', '    stdin'])
  execute "normal! Go| stdout\<Esc>"
  call s:Check(getline(3) ==# '      | stdout', 'typing "| stdout": got "' . getline(3) . '"')
  execute "normal! o}\<Esc>"
  call s:Check(getline(4) ==# '}', 'typing "}": got "' . getline(4) . '"')
endfunction

try
  call s:Main()
catch
  call s:Check(0, 'exception: ' . v:exception . ' at ' . v:throwpoint)
endtry
call add(s:out, printf('vim: %d passed, %d failed', s:passed, s:failed))
call writefile(s:out, $PIPE_VIM_OUT)
qall!
