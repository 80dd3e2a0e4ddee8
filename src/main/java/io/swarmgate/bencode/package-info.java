/**
 * Bencoding (BEP 3) writer and reader with dictionary keys sorted as raw byte strings. Pure: no I/O.
 */
package io.swarmgate.bencode;
