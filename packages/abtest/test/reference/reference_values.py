"""Reference values for test/reference-values.test.ts. Run: python3 reference_values.py (SciPy 1.17.1, NumPy 2.4.6)."""
import numpy as np, scipy
from scipy import stats, integrate
print('scipy', scipy.__version__, 'numpy', np.__version__)
# wilson
def wilson(x,n,z=stats.norm.ppf(0.975)):
    p=x/n; c=(p+z*z/(2*n))/(1+z*z/n); h=z/(1+z*z/n)*np.sqrt(p*(1-p)/n+z*z/(4*n*n)); return c-h,c+h
print('wilson', ['%.10g'%v for v in wilson(45,100)])
# two-proportion
x1,n1,x2,n2=120,1000,150,1000
p1,p2=x1/n1,x2/n2; pp=(x1+x2)/(n1+n2); se0=np.sqrt(pp*(1-pp)*(1/n1+1/n2)); z=(p2-p1)/se0
print('z2p stat %.10g p %.10g'%(z, 2*stats.norm.sf(abs(z))))
se=np.sqrt(p1*(1-p1)/n1+p2*(1-p2)/n2); q=stats.norm.ppf(0.975)
print('diff ci %.10g %.10g'%(p2-p1-q*se, p2-p1+q*se))
sl=np.sqrt(p2*(1-p2)/n2/p2**2+p1*(1-p1)/n1/p1**2); print('lift ci %.10g %.10g'%(np.exp(np.log(p2/p1)-q*sl)-1, np.exp(np.log(p2/p1)+q*sl)-1))
# welch
a=np.array([1.,2,3,4,5]); b=np.array([3.,4,5,6,7])
r=stats.ttest_ind(b,a,equal_var=False); print('welch', '%.10g %.10g'%(r.statistic,r.pvalue), r.df if hasattr(r,'df') else '')
ci=r.confidence_interval(0.95); print('welch ci %.10g %.10g'%(ci.low,ci.high))
rng=np.random.default_rng(7); wa=np.round(rng.lognormal(1.0,0.8,40),6); wb=np.round(rng.lognormal(1.3,0.5,55),6)  # rounded as printed into samples.ts
print('wa', ','.join('%.6f'%v for v in wa)); print('wb', ','.join('%.6f'%v for v in wb))
r=stats.ttest_ind(np.log(wb),np.log(wa),equal_var=False); print('welch-log %.10g %.10g df=%.10g'%(r.statistic,r.pvalue,r.df))
# mann-whitney
r=stats.mannwhitneyu([3,5,6,7],[1,2,3,4],method='asymptotic'); print('mw small U %.10g p %.10g'%(r.statistic,r.pvalue))
r=stats.mannwhitneyu(wb,wa,method='asymptotic'); print('mw U %.10g p %.10g'%(r.statistic,r.pvalue))
# beta
A=stats.beta(1+120,1+880); B=stats.beta(1+150,1+850)
ptb=integrate.quad(lambda x: B.pdf(x)*A.cdf(x),0,1,points=[0.12,0.15],limit=500)[0]
lossT=integrate.dblquad(lambda c,t: max(c-t,0)*A.pdf(c)*B.pdf(t),0.05,0.25,0.05,0.25)[0]
lossC=integrate.dblquad(lambda c,t: max(t-c,0)*A.pdf(c)*B.pdf(t),0.05,0.25,0.05,0.25)[0]
print('beta ptb %.10g lossT %.10g lossC %.10g'%(ptb,lossT,lossC))
# msprt
d,V,t2=0.03,0.0001,0.0025
L=np.sqrt(V/(V+t2))*np.exp(d*d*t2/(2*V*(V+t2))); print('msprt L %.10g p %.10g'%(L,min(1,1/L)))
h=np.sqrt(2*V*(V+t2)/t2*np.log(np.sqrt((V+t2)/V)/0.05)); print('msprt cs %.10g %.10g'%(d-h,d+h))
# srm
r=stats.chisquare([4500,5500],[5000,5000]); print('srm', '%.10g %.10g'%(r.statistic,r.pvalue))
r=stats.chisquare([5050,4950],[5000,5000]); print('srm ok', '%.10g %.10g'%(r.statistic,r.pvalue))
r=stats.chisquare([3400,3300,3300],[10000/3]*3); print('srm3', '%.10g %.10g'%(r.statistic,r.pvalue))
r=stats.chisquare([2480,2600,2520,2400],[2500]*4); print('srm4', '%.10g %.10g'%(r.statistic,r.pvalue))
# power
zq=stats.norm.ppf(0.975); s=0.05/0.02; print('power %.10g'%(stats.norm.cdf(s-zq)+stats.norm.cdf(-s-zq)))
n=(stats.norm.ppf(0.975)+stats.norm.ppf(0.8))**2*(0.1*0.9+0.12*0.88)/0.02**2; print('n %.10g'%n)
# multiple comparisons
ps=np.array([0.01,0.04,0.03,0.005,0.2])
print('bh', stats.false_discovery_control(ps,method='bh'))
o=np.argsort(ps); m=len(ps); adj=np.empty(m); run=0
for k,i in enumerate(o): run=max(run,min(1,(m-k)*ps[i])); adj[i]=run
print('holm', adj)
# cuped
y=np.array([1.,2,3]); x=np.array([1.,2,4]); th=np.cov(y,x)[0,1]/np.var(x,ddof=1); print('theta %.10g r2 %.10g'%(th, np.corrcoef(y,x)[0,1]**2))
