package io.swarmgate.launcher;
public final class Launcher { public static void main(String[] a) throws Exception { Class.forName("io.swarmgate.Main").getMethod("main", String[].class).invoke(null, (Object) a);} }
