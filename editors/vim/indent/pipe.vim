" Vim indent file
" Language:     Pipe (the text-stream pipeline language of pipec)
" Maintainer:   the pipec project (editors/vim in its repository)
"
" The layout of the examples:
"   - one 'shiftwidth' per open '{', '(' or '[' (a closing one at the start of
"     a line goes back to the indentation of the line that opened it);
"   - a line starting with '|' continues the flow above it, indented by
"     g:pipe_indent_continuation (default: half a 'shiftwidth') from the line
"     where the flow starts;
"   - a line after one that ends with an operator ('|', '=', '=>', '+', 'and',
"     ...) is indented by one 'shiftwidth' from the line where the statement starts.
" Strings and comments are skipped when counting brackets; strings never span lines.

if exists('b:did_indent')
  finish
endif
let b:did_indent = 1

setlocal autoindent
setlocal indentexpr=GetPipeIndent(v:lnum)
setlocal indentkeys=0{,0},0),0],!^F,o,O,e,0<Bar>
let b:undo_indent = 'setlocal autoindent< indentexpr< indentkeys<'

if exists('*GetPipeIndent')
  finish
endif

let s:cpo_save = &cpo
set cpo&vim

" The code of a line: strings blanked out (same length), comment removed.
function! s:Code(lnum) abort
  let l = substitute(getline(a:lnum), '"\%([^"\\]\|\\.\)*"\=', '\=repeat("x", strlen(submatch(0)))', 'g')
  return substitute(l, '#.*$', '', '')
endfunction

" [line, column] of the innermost bracket left open before line lnum (or,
" given a column, before that column of line lnum); [0, 0] at the top level.
function! s:Opener(lnum, ...) abort
  let depth = 0
  let l = a:lnum
  let code = a:0 ? strpart(s:Code(l), 0, a:1) : ''
  while l > 0
    let i = strlen(code) - 1
    while i >= 0
      let c = code[i]
      if c ==# ')' || c ==# ']' || c ==# '}'
        let depth += 1
      elseif c ==# '(' || c ==# '[' || c ==# '{'
        if depth == 0
          return [l, i]
        endif
        let depth -= 1
      endif
      let i -= 1
    endwhile
    let l -= 1
    let code = l > 0 ? s:Code(l) : ''
  endwhile
  return [0, 0]
endfunction

" The previous line with code, above lnum and below the line stop (0 if none).
function! s:PrevCode(lnum, stop) abort
  let l = a:lnum - 1
  while l > a:stop
    if s:Code(l) =~ '\S'
      return l
    endif
    let l -= 1
  endwhile
  return 0
endfunction

" The line where the part of line p that ends it begins, at the level of the
" bracket 'open': when p closes brackets opened above, the line that opened them.
function! s:Anchor(p, open) abort
  let p = a:p
  while p > a:open[0]
    let o = s:Opener(p)
    if o == a:open || o[0] < a:open[0] || o[0] == 0
      break
    endif
    let p = o[0]
  endwhile
  return p
endfunction

let s:cont_end = '\%(|\|[-+*/%<>=:]\|\<and\|\<or\|\<not\)\s*$'

function! s:StartsFlow(lnum) abort
  return s:Code(a:lnum) =~ '^\s*|\%([^|]\|$\)'
endfunction

" The first line of the statement that line p ends, at the level of 'open'.
function! s:StatementStart(p, open) abort
  let s = s:Anchor(a:p, a:open)
  while 1
    let q = s:PrevCode(s, a:open[0])
    if q == 0 || !(s:StartsFlow(s) || s:Code(q) =~ s:cont_end)
      return s
    endif
    let s = s:Anchor(q, a:open)
  endwhile
endfunction

function! GetPipeIndent(lnum) abort
  let sw = shiftwidth()
  let cont = get(g:, 'pipe_indent_continuation', sw / 2)
  let cur = s:Code(a:lnum)
  let open = s:Opener(a:lnum)
  " the line that opened the bracket, or where that line's own part begins
  " when it closes brackets opened above: `pipeline main(a: int,\n b: int) {`
  let head = open[0] ? indent(s:Anchor(open[0], s:Opener(open[0], open[1]))) : 0
  if cur =~ '^\s*[)\]}]'
    return head
  endif
  let base = open[0] ? head + sw : 0
  let p = s:PrevCode(a:lnum, open[0])
  if p == 0
    return base
  endif
  if s:StartsFlow(a:lnum)
    return indent(s:StatementStart(p, open)) + cont
  endif
  if s:Code(p) =~ s:cont_end
    return indent(s:StatementStart(p, open)) + sw
  endif
  return base
endfunction

let &cpo = s:cpo_save
unlet s:cpo_save
