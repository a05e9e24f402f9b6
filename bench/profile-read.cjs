// npm run bench:profile:read -- /tmp/prof/<tag> [N] [self|incl] [filter]: the profile bench/profile.ts wrote, per request
// (µs), by function: self time, or inclusive time (each function counted once per stack). Only the
// samples inside the measured window count.
const fs=require('fs');const d=process.argv[2];const N=+process.argv[3]||40;const mode=process.argv[4]||'self';const filt=process.argv[5];
const w=JSON.parse(fs.readFileSync(d+'/window.json'));
const profiles=fs.readdirSync(d).filter(x=>x.endsWith('.cpuprofile')).map(x=>[x,fs.statSync(d+'/'+x).size]).sort((a,b)=>b[1]-a[1]);
if(!profiles.length){console.error(`${d} has no .cpuprofile (a STRACE or PERF run records none)`);process.exit(1);}
const f=profiles[0][0];
const p=JSON.parse(fs.readFileSync(d+'/'+f));
const byId=new Map(p.nodes.map(n=>[n.id,n]));const parent=new Map();for(const n of p.nodes)for(const c of (n.children||[]))parent.set(c,n.id);
const root=w.dir?w.dir.replace(/\/?$/,'/'):null;
const key=(cf)=>`${cf.functionName||'(anon)'} ${cf.url.replace(/^file:\/\//,'').replace(/.*node_modules\//,'nm/').split(root??'\u0000').join('')}:${cf.lineNumber}`;
let t=p.startTime;const self=new Map(),incl=new Map();let total=0,idle=0;
for(let i=0;i<p.samples.length;i++){t+=p.timeDeltas[i];if(t<w.t0||t>w.t1)continue;const dt=p.timeDeltas[i+1]??0;const id=p.samples[i];const n=byId.get(id);
 if(n.callFrame.functionName==='(idle)'){idle+=dt;continue;} total+=dt; const k=key(n.callFrame); self.set(k,(self.get(k)||0)+dt);
 const seen=new Set();let cur=id;while(cur!==undefined){const kk=key(byId.get(cur).callFrame);if(!seen.has(kk)){seen.add(kk);incl.set(kk,(incl.get(kk)||0)+dt);}cur=parent.get(cur);} }
console.log(`${f} window ${(w.t1-w.t0)/1e6}s amount ${w.amount}: busy ${(total/w.amount).toFixed(1)} µs/req, idle ${(idle/w.amount).toFixed(1)} µs/req`);
const m=mode==='self'?self:incl;
[...m].filter(([k])=>!filt||k.includes(filt)).sort((a,b)=>b[1]-a[1]).slice(0,N).forEach(([k,v])=>console.log((v/w.amount).toFixed(1).padStart(7),k.slice(0,140)));
