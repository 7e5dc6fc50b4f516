$wnd.jsme.runAsyncCallback4('x(701,590,bn);_.Zd=function(){this.a.Mc&&F0(this.a.Mc);this.a.Mc=new K0(1,this.a)};U(YX)(4);\n//@ sourceURL=4.js\n')
