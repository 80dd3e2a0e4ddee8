/**
 * What the frontends share: query-string rules that HTTP announces and BEP 41 URL data both follow.
 * Each frontend lives in its own subpackage and only talks to {@link io.swarmgate.logic.TrackerLogic}.
 */
package io.swarmgate.frontend;
