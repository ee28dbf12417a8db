" Vim filetype detection for Pipe scripts (pipec): *.pipe
autocmd BufRead,BufNewFile *.pipe setfiletype pipe
