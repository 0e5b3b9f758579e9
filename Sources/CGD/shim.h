#include <gd.h>
#include <stdarg.h>
// libgd prints decoder complaints to stderr; Mingle reports its own clear error instead.
static void mingle_gd_ignore(int priority, const char *format, va_list args) { (void)priority; (void)format; (void)args; }
static inline void mingle_gd_quiet(void) { gdSetErrorMethod(mingle_gd_ignore); }
