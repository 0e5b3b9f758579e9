#include <curl/curl.h>
// curl_easy_setopt is variadic, which Swift cannot call; these typed wrappers can be.
static inline CURLcode mingle_curl_setopt_long(CURL *c, CURLoption o, long v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode mingle_curl_setopt_ptr(CURL *c, CURLoption o, const void *v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode mingle_curl_setopt_write(CURL *c, CURLoption o, size_t (*f)(char *, size_t, size_t, void *)) { return curl_easy_setopt(c, o, f); }
static inline CURLcode mingle_curl_getinfo_long(CURL *c, CURLINFO i, long *v) { return curl_easy_getinfo(c, i, v); }
