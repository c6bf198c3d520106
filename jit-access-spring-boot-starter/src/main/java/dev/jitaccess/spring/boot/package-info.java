/** Spring Boot auto-configuration for jit-access. */
@NullMarked
package dev.jitaccess.spring.boot;

import org.jspecify.annotations.NullMarked;
