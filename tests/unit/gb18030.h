/*
 * gb18030.h - test text as Excel on Chinese Windows saves it: UTF-8
 * converted to GB18030 with iconv, for the roster tests. Fails the test
 * if the conversion does. The caller frees the result.
 */
#ifndef EXPERTD_TEST_GB18030_H
#define EXPERTD_TEST_GB18030_H

#include <iconv.h>
#include <stdlib.h>

static inline char *to_gb18030(const char *utf8, size_t len, size_t *outlen)
{
	iconv_t cd = iconv_open("GB18030", "UTF-8");
	assert_true(cd != (iconv_t)-1);
	size_t inleft = len, cap = len * 2 + 4, oleft = cap;
	char *out = malloc(cap), *in = (char *)utf8, *o = out;
	assert_non_null(out);
	assert_int_not_equal(iconv(cd, &in, &inleft, &o, &oleft), (size_t)-1);
	iconv_close(cd);
	*outlen = cap - oleft;
	return out;
}

#endif
