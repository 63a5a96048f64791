# FPKIT_SONAME(VAR, LIBNAME, LIBS, DEFAULT)
# ------------------------------------------
# The SONAME of libLIBNAME.so as the linker would find it with LIBS (its
# -L folders first), in VAR (an AC_ARG_VAR the user may set), defined as
# a C string of the same name: the file fpkit loads with dlopen.
AC_DEFUN([FPKIT_SONAME], [
AC_ARG_VAR([$1], [the file name of lib$2 to load (default: its SONAME, found by configure)])
AC_MSG_CHECKING([lib$2's SONAME])
AC_REQUIRE([FPKIT_PROG_OBJDUMP])
AS_IF([test -z "$$1"], [
	fpkit_so=`$CC $CFLAGS $LDFLAGS -print-file-name=lib$2.so 2>/dev/null`
	for fpkit_l in $3; do
		case $fpkit_l in
		-L*) test -f "${fpkit_l#-L}/lib$2.so" && fpkit_so="${fpkit_l#-L}/lib$2.so" ;;
		esac
	done
	$1=`LC_ALL=C $OBJDUMP -p "$fpkit_so" 2>/dev/null | sed -n 's/^ *SONAME *//p'`
	AS_IF([test -z "$$1"], [
		$1=$4
		AC_MSG_RESULT([$$1])
		AC_MSG_WARN([cannot read the SONAME of lib$2.so (objdump: $OBJDUMP): $4 assumed; set $1 if it is not right])
	], [AC_MSG_RESULT([$$1])])
], [AC_MSG_RESULT([$$1 (set)])])
AC_DEFINE_UNQUOTED([$1], ["$$1"], [lib$2's file name to load])
])

# FPKIT_PROG_OBJDUMP: the objdump for the host's objects (a cross build's
# prefixed one).
AC_DEFUN([FPKIT_PROG_OBJDUMP], [AC_CHECK_TOOL([OBJDUMP], [objdump], [objdump])])
