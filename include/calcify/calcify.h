/* calcify/calcify.h — the whole public API of libcalcify in one include.
 *
 * The usual way through it (docs/ARCHITECTURE.md):
 *   calcify_scenario_load        a scenario file and its parameter file
 *   calcify_sim_alloc            a simulator (one per thread)
 *   calcify_runner_run           the baseline, then the arms, read through
 *                                a probe (calcify_probe_make) at chosen times
 *   calcify_sim_run_arm          or every row of an arm, to a callback
 * and on top of it calcify_fit, calcify_sensitivity_run,
 * calcify_sobol_indices, calcify_morris_indices, calcify_population_draw,
 * calcify_sweep_run.  Every function returns a calcify_status and fills a
 * calcify_error with a "file:line: what (expected …)" message.
 *
 * Link with `pkg-config --libs calcify`.
 */
#ifndef CALCIFY_CALCIFY_H
#define CALCIFY_CALCIFY_H

#include "calcify/status.h"
#include "calcify/units.h"
#include "calcify/model.h"
#include "calcify/modeldef.h"
#include "calcify/params.h"
#include "calcify/solver.h"
#include "calcify/dosing.h"
#include "calcify/observables.h"
#include "calcify/scenario.h"
#include "calcify/simulate.h"
#include "calcify/probe.h"
#include "calcify/runner.h"
#include "calcify/endpoints.h"
#include "calcify/batch.h"
#include "calcify/output.h"
#include "calcify/design.h"
#include "calcify/sweep.h"
#include "calcify/targets.h"
#include "calcify/fit.h"
#include "calcify/sensitivity.h"
#include "calcify/gsa.h"
#include "calcify/population.h"

#endif
