import { RandomForestClassifier } from 'ml-random-forest';
const n = +process.argv[2], trees = +process.argv[3], depth = +process.argv[4];
let s = 1; const r = () => (s = (s * 16807) % 2147483647) / 2147483647;
const X = [], y = [];
for (let i = 0; i < n; i++) { const row = []; for (let j = 0; j < 12; j++) row.push(Math.round(r() * 20) / 20); X.push(row); y.push(r() < 0.3 + 0.4 * row[0] ? 1 : 0); }
const t = performance.now();
const rf = new RandomForestClassifier({ nEstimators: trees, maxFeatures: 0.7, replacement: false, seed: 3, useSampleBagging: true, noOOB: true, treeOptions: { maxDepth: depth, minNumSamples: 20 } });
rf.train(X, y);
console.log(n, trees, depth, (performance.now() - t).toFixed(0), 'ms');
const json = JSON.stringify(rf.toJSON()); console.log('json', json.length);
const rf2 = RandomForestClassifier.load(JSON.parse(json));
console.log(rf2.predictProbability(X.slice(0, 3), 1), rf.predictProbability(X.slice(0,3),1));
