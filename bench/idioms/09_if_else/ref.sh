# "error" for a status >= 400, else "ok", per line
# input: access
awk '{ print ($9 >= 400) ? "error" : "ok" }'
