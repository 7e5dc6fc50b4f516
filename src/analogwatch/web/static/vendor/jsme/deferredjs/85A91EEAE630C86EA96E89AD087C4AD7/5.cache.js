$wnd.jsme.runAsyncCallback5('x(707,595,Ys);_.Zd=function(){this.a.F&&(p4(this.a.F),this.a.F=null);0==this.a.r.w&&(this.a.F=new u4(2,this.a))};U(R0)(5);\n//@ sourceURL=5.js\n')
