# the lines ending in "<none>"
# input: dpkg
grep '<none>$'
