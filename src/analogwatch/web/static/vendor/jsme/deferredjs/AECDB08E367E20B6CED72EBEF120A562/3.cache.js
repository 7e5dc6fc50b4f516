$wnd.jsme.runAsyncCallback3('x(702,593,on);_.Zd=function(){this.a.n&&H0(this.a.n);this.a.n=new M0(0,this.a)};U(dY)(3);\n//@ sourceURL=3.js\n')
