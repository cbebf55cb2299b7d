import { RandomForestClassifier } from 'ml-random-forest';
const n = +process.argv[2], trees = +process.argv[3], depth = +process.argv[4], levels = +process.argv[5];
let s = 1; const r = () => (s = (s * 16807) % 2147483647) / 2147483647;
let rows = [];
for (let i = 0; i < n; i++) { const row = []; for (let j = 0; j < 12; j++) row.push(Math.round(r() * levels) / levels); rows.push([row, r() < 0.3 + 0.4 * row[0] ? 1 : 0]); }
rows.sort((a, b) => a[1] - b[1]);
const X = rows.map(r => r[0]), y = rows.map(r => r[1]);
const t = performance.now();
const rf = new RandomForestClassifier({ nEstimators: trees, maxFeatures: 0.7, replacement: false, seed: 3, useSampleBagging: false, noOOB: true, treeOptions: { maxDepth: depth, minNumSamples: 20 } });
rf.train(X, y);
console.log(n, trees, depth, levels, (performance.now() - t).toFixed(0), 'ms');
