// The card's bundle: one ES module, dist/energy-insights-card.js, with Lit (production build) and
// ApexCharts inside it, so Home Assistant loads a single file and nothing is fetched at run time.
// Third-party notices go in one banner (terser drops every other comment).
import { readFileSync } from "node:fs";
import nodeResolve from "@rollup/plugin-node-resolve";
import terser from "@rollup/plugin-terser";
import typescript from "@rollup/plugin-typescript";

const version = (pkg) => JSON.parse(readFileSync(new URL(`./node_modules/${pkg}/package.json`, import.meta.url), "utf8")).version;

const banner = `/*! Energy Insights card ${JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")).version} | MIT | (c) Energy Insights contributors
 * Bundled third-party code:
 *  ApexCharts ${version("apexcharts")} (c) 2018-2025 ApexCharts, MIT License
 *  svg.js and plugins (c) 2012-2018 Wout Fierens, Ulrich-Matthias Schaefer, Fuzzy, MIT License
 *  monotone-cubic-spline (c) 2015 yr.no, MIT License
 *  Lit ${version("lit")} (c) 2017 Google LLC, BSD-3-Clause License
 * MIT License: Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
 * associated documentation files (the "Software"), to deal in the Software without restriction, including without
 * limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the
 * Software, and to permit persons to whom the Software is furnished to do so, subject to the following conditions:
 * The above copyright notice and this permission notice shall be included in all copies or substantial portions of
 * the Software. THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT
 * LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL
 * THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF
 * CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN
 * THE SOFTWARE.
 * BSD-3-Clause License: Redistribution and use in source and binary forms, with or without modification, are
 * permitted provided that the following conditions are met: 1. Redistributions of source code must retain the above
 * copyright notice, this list of conditions and the following disclaimer. 2. Redistributions in binary form must
 * reproduce the above copyright notice, this list of conditions and the following disclaimer in the documentation
 * and/or other materials provided with the distribution. 3. Neither the name of the copyright holder nor the names of
 * its contributors may be used to endorse or promote products derived from this software without specific prior
 * written permission. THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND ANY EXPRESS OR
 * IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A
 * PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT,
 * INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF
 * SUBSTITUTE GOODS OR SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY
 * THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN
 * ANY WAY OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
 */`;

export default {
  input: "card/src/energy-insights-card.ts",
  output: {
    file: "dist/energy-insights-card.js",
    format: "es",
    inlineDynamicImports: true,
    sourcemap: false,
    banner,
  },
  plugins: [
    nodeResolve({ browser: true, exportConditions: ["production"] }),
    typescript({ tsconfig: "card/tsconfig.json", noEmitOnError: true }),
    terser({ ecma: 2021, module: true, format: { comments: /^! Energy Insights card/ } }),
  ],
  onwarn(warning, warn) {
    // ApexCharts' prebuilt ES module uses `this` at its top level; harmless there.
    if (warning.code === "THIS_IS_UNDEFINED" && warning.id?.includes("apexcharts")) return;
    warn(warning);
  },
};
