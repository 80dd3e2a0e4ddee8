/**
 * The jar's Java 17 entry point, which finds a Java 21+ runtime for the tracker when the default java is
 * older.
 */
package io.swarmgate.launcher;
